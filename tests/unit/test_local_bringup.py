"""The bring-up's safety rule: a joiner is restarted (to unseal at once) only after init's stored keys
have reached it, never on `initialized` alone (a restart before that left a node that never unsealed:
docs/facts.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.local import nodes

NODE = nodes.NodeAddress(1, 10003, 10004)


def _statuses(monkeypatch: pytest.MonkeyPatch, answers: list[dict]) -> None:
    replies = iter(answers)
    monkeypatch.setattr(nodes, "seal_status", lambda node, ca: next(replies, answers[-1]))


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        # joined (initialized) but the recovery config, written after the stored keys, not yet there
        (
            [
                {},
                {"initialized": True, "sealed": True, "t": 0},
                {"initialized": True, "sealed": True, "t": 3},
            ],
            "replicated",
        ),
        (
            [{"initialized": True, "sealed": True, "t": 0}, {"initialized": True, "sealed": False, "t": 3}],
            "unsealed",
        ),
        ([{"initialized": True, "sealed": True, "t": 0}], "pending"),
        ([{}], "pending"),  # not answering at all
    ],
)
def test_restart_only_once_the_stored_keys_arrived(
    monkeypatch: pytest.MonkeyPatch, answers: list[dict], expected: str
) -> None:
    _statuses(monkeypatch, answers)
    assert nodes.wait_replicated(NODE, Path("/ca.pem"), timeout=0.3) == expected


def test_only_replicated_sealed_joiners_are_restarted(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from infra.local import environment

    three = nodes.addresses([10001, 10002, 10003, 10004, 10005, 10006])
    verdict = {"node-1": "replicated", "node-2": "pending"}
    monkeypatch.setattr(nodes, "wait_replicated", lambda node, ca: verdict[node.name])
    stopped: list[str] = []
    started: list[int] = []
    monkeypatch.setattr(environment.processes, "stop", lambda state, name: stopped.append(name))
    monkeypatch.setattr(environment, "start_node", lambda env, index: started.append(index))
    asked: list[str] = []
    monkeypatch.setattr(nodes, "look_up_leader", lambda node, ca: asked.append(node.name) or True)
    env = SimpleNamespace(nodes=three, ca_cert=Path("/ca.pem"), state=None)
    assert environment.unseal_joiners(env, three[0]) == ["node-1"]  # the leader is never touched
    assert stopped == ["node-1"] and started == [1]
    assert asked == ["node-1"]  # the restarted standby is made to find the active node at once
