"""The rolling restart's order and guards, against a simulated cluster that records every state it went
through (the real 3-node run is tests/integration/test_roll.py)."""

from __future__ import annotations

import itertools

import pytest

from infra.ops.roll import RollRefused, roll, roll_order


def test_standbys_first_in_name_order_then_the_active_node():
    assert roll_order({"n2": "standby", "n0": "active", "n1": "standby"}) == ["n1", "n2", "n0"]


@pytest.mark.parametrize(
    ("roles", "reason"),
    [
        ({"n0": "active", "n1": "standby", "n2": "down"}, "n2 is down"),
        ({"n0": "active", "n1": "sealed", "n2": "standby"}, "n1 is sealed"),
        ({"n0": "standby", "n1": "standby", "n2": "standby"}, "no active node"),
        ({"n0": "active", "n1": "active", "n2": "standby"}, "2 active nodes"),
    ],
)
def test_a_degraded_cluster_is_not_rolled(roles, reason):
    # Restarting one more node of a cluster already missing one could cost quorum.
    with pytest.raises(RollRefused, match=reason):
        roll_order(roles)


class FakeCluster:
    """Three nodes; restarts take a node down until it is started again; step-down hands leadership to
    the first other standby. Records the number of nodes down after every operation."""

    def __init__(self, names=("node-0", "node-1", "node-2"), active="node-1", sticky=0) -> None:
        self.state = {n: ("active" if n == active else "standby") for n in names}
        self.events: list[tuple[str, str]] = []
        self.down_counts: list[int] = []
        self.sticky = sticky  # how many step-downs the leader survives (it is re-elected)

    def _record(self, event: str, name: str) -> None:
        self.events.append((event, name))
        self.down_counts.append(sum(1 for s in self.state.values() if s == "down"))

    def roles(self) -> dict[str, str]:
        return dict(self.state)

    def restart(self, name: str) -> None:
        self.state[name] = "down"
        self._record("stop", name)
        self.state[name] = "standby"  # a restarted node rejoins as a standby, whatever it was
        self._record("start", name)

    def step_down(self, name: str) -> None:
        assert self.state[name] == "active"
        if self.sticky:
            self.sticky -= 1
        else:
            successor = next(n for n, s in sorted(self.state.items()) if s == "standby")
            self.state[name], self.state[successor] = "standby", "active"
        self._record("step-down", name)

    def wait_healthy(self, name: str, timeout: float) -> None:
        assert self.state[name] in ("active", "standby")
        self._record("healthy", name)


def test_roll_restarts_each_node_once_standbys_first_and_keeps_quorum():
    cluster = FakeCluster()
    report = roll(cluster, poll=0.0, grace=0.0)
    stops = [n for e, n in cluster.events if e == "stop"]
    assert stops == ["node-0", "node-2", "node-1"]  # the active node (node-1) last
    assert max(cluster.down_counts) == 1
    i_step = cluster.events.index(("step-down", "node-1"))
    assert i_step < cluster.events.index(("stop", "node-1"))
    # every restarted standby is healthy again before the next node goes down
    for before, after in itertools.pairwise(stops):
        assert cluster.events.index(("healthy", before)) < cluster.events.index(("stop", after))
    assert report.order == stops
    assert report.old_leader == "node-1" and report.new_leader != "node-1"


def test_step_down_is_repeated_when_the_leader_is_re_elected():
    cluster = FakeCluster(sticky=1)
    report = roll(cluster, poll=0.0, grace=0.0)
    assert [e for e in cluster.events if e[0] == "step-down"] == [("step-down", "node-1")] * 2
    assert report.new_leader != "node-1"


def test_cli_without_a_local_environment_exits_1(tmp_path, capsys):
    from infra.cli import main

    assert main(["roll", "--local", "--state", str(tmp_path / "none")]) == 1
    assert "no local environment (run `vaultctl local up`)" in capsys.readouterr().err
