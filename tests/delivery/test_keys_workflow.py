"""keys-overdue.yml: the third, read-only CI identity (`keys-auditor`). Each rule that guards it fires on
a broken copy of the shipped workflow and is quiet on the shipped one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from infra.ops import ci_env, workflow_rules
from infra.ops.workflow_rules import identities
from tests.delivery.test_workflow_rules import LIMITS, _set, mutated, shipped, step

WORKFLOW = "keys-overdue.yml"
AUDITOR_ROLE = "${{ steps.stack.outputs.keys_auditor_role }}"


def findings(flows: list[Any]) -> list[str]:
    return workflow_rules.findings(flows, LIMITS)


def test_shipped_report_logs_in_as_the_auditor_and_is_clean() -> None:
    flows = shipped()
    job = flows[WORKFLOW].jobs["status"]
    assert identities(job) == {"keys-auditor"}
    assert [f for f in findings(list(flows.values())) if WORKFLOW in f] == []
    assert job["timeout-minutes"] * 60 <= LIMITS.auditor_ttl
    assert ci_env.stack_env("prod")["keys_auditor_role"] == "keys-auditor"


def _auditor_in_drift(document: dict[str, Any]) -> None:
    step(document["jobs"]["drift"], "hashicorp/vault-action")["with"]["role"] = AUDITOR_ROLE


def _deployer_in_report(document: dict[str, Any]) -> None:
    step(document["jobs"]["status"], "hashicorp/vault-action")["with"]["role"] = (
        "${{ steps.stack.outputs.deployer_role }}"
    )


def _writes_prs(document: dict[str, Any]) -> None:
    document["jobs"]["status"]["permissions"]["pull-requests"] = "write"


BAD: list[tuple[str, str, Callable[[dict[str, Any]], None], str, str]] = [
    (
        "auditor-outside-its-workflow",
        "drift.yml",
        _auditor_in_drift,
        "WF-AUDITOR",
        "outside keys-overdue.yml",
    ),
    (
        "auditor-in-an-environment",
        WORKFLOW,
        _set(["jobs", "status", "environment"], "prod"),
        "WF-AUDITOR",
        "inside an environment",
    ),
    (
        "outlives-the-token",
        WORKFLOW,
        _set(["jobs", "status", "timeout-minutes"], 30),
        "WF-TTL",
        "keys-auditor token lives 10 min",
    ),
    ("deployer-in-the-report", WORKFLOW, _deployer_in_report, "WF-READONLY", "references the deployer"),
    ("scope-it-does-not-use", WORKFLOW, _writes_prs, "WF-SCOPE", "pull-requests: write"),
]


@pytest.mark.parametrize(("case", "name", "change", "rule", "text"), BAD, ids=[b[0] for b in BAD])
def test_rule_fires_on_a_broken_report(
    case: str, name: str, change: Callable[[dict[str, Any]], None], rule: str, text: str
) -> None:
    found = [f for f in findings(mutated(name, change)) if rule in f]
    assert any(text in f for f in found), found
