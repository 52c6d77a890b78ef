"""Each project workflow rule fires on a bad variant of a shipped workflow and is quiet on the shipped ones.

The variants are the shipped files with one property broken (an environment on a preview job, the
deployer role in drift, an `up` without its plan...), so a rule is shown to catch the mistake a
real edit would make, not only a toy workflow.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.ops import workflow_lint, workflow_rules
from infra.ops.workflow_rules import Workflow

LIMITS = workflow_lint.stack_limits()


def shipped() -> dict[str, Workflow]:
    return {
        p.name: Workflow(p, p.read_text(), yaml.safe_load(p.read_text()))
        for p in workflow_lint.workflow_files([workflow_lint.WORKFLOWS])
    }


def mutated(name: str, change: Callable[[dict[str, Any]], None]) -> list[Workflow]:
    """All shipped workflows, with `change` applied to a copy of `name`'s parsed document."""
    flows = shipped()
    document = copy.deepcopy(flows[name].document)
    change(document)
    flows[name] = Workflow(flows[name].path, flows[name].text, document)
    return list(flows.values())


def step(job: dict[str, Any], action: str) -> dict[str, Any]:
    return next(s for s in job["steps"] if str(s.get("uses", "")).startswith(action + "@"))


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _pulumi(job: str, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set (or, with None, remove) an input of the job's pulumi/actions step that runs a command."""

    def change(document: dict[str, Any]) -> None:
        steps = document["jobs"][job]["steps"]
        target = next(
            s
            for s in steps
            if str(s.get("uses", "")).startswith("pulumi/actions@") and "command" in s["with"]
        )
        if value is None:
            target["with"].pop(key, None)
        else:
            target["with"][key] = value

    return change


def _drop_first_step(job: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        document["jobs"][job]["steps"].pop(0)

    return change


def _add_step(job: str, new_step: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        document["jobs"][job]["steps"].append(new_step)

    return change


def _triggers(value: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        document.pop(True, None)
        document["on"] = value

    return change


DEPLOYER_ROLE = "${{ steps.stack.outputs.deployer_role }}"
DEPLOYER_SA = "${{ steps.stack.outputs.gcp_deployer_service_account }}"


def _login_as_deployer(job: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        step(document["jobs"][job], "hashicorp/vault-action")["with"]["role"] = DEPLOYER_ROLE

    return change


# (case, workflow, change, rule id, text the finding must contain)
BAD: list[tuple[str, str, Callable[[dict[str, Any]], None], str, str]] = [
    (
        "deployer-in-preview",
        "preview.yml",
        _login_as_deployer("preview"),
        "WF-DEPLOYER",
        "outside deploy.yml",
    ),
    (
        "deployer-gcp-account-in-drift",
        "drift.yml",
        lambda d: step(d["jobs"]["drift"], "google-github-actions/auth")["with"].update(
            service_account=DEPLOYER_SA
        ),
        "WF-READONLY",
        "references the deployer",
    ),
    (
        "environment-on-preview",
        "preview.yml",
        _set(["jobs", "preview", "environment"], "prod"),
        "WF-READONLY",
        "environment",
    ),
    (
        "environment-on-drift",
        "drift.yml",
        _set(["jobs", "drift", "environment"], "staging"),
        "WF-READONLY",
        "environment",
    ),
    (
        "environment-on-plan",
        "deploy.yml",
        _set(["jobs", "plan-prod", "environment"], "prod"),
        "WF-READONLY",
        "previewer inside an environment",
    ),
    (
        "up-without-environment",
        "deploy.yml",
        lambda d: d["jobs"]["up-prod"].pop("environment"),
        "WF-DEPLOYER",
        "without `environment:`",
    ),
    ("up-without-main-guard", "deploy.yml", _drop_first_step("up-staging"), "WF-DEPLOYER", "guard"),
    (
        "deploy-on-any-branch",
        "deploy.yml",
        _triggers({"push": {"branches": ["main", "release/*"]}, "workflow_dispatch": None}),
        "WF-DEPLOYER",
        "allowed: push to [main]",
    ),
    (
        "deploy-on-pull-request",
        "deploy.yml",
        _triggers({"pull_request": None, "workflow_dispatch": None}),
        "WF-READONLY",
        "references the deployer",
    ),
    (
        "unknown-identity",
        "drift.yml",
        lambda d: step(d["jobs"]["drift"], "hashicorp/vault-action")["with"].update(role="admin"),
        "WF-READONLY",
        "neither previewer nor deployer",
    ),
    (
        "pull-request-target",
        "preview.yml",
        _triggers({"pull_request_target": None}),
        "WF-TRIGGER",
        "pull_request_target",
    ),
    (
        "checkout-in-workflow-run",
        "preview-comment.yml",
        lambda d: d["jobs"]["comment"]["steps"].insert(0, {"uses": "actions/checkout@" + "0" * 40}),
        "WF-TRIGGER",
        "checks out code",
    ),
    (
        "oidc-in-workflow-run",
        "preview-comment.yml",
        _set(["jobs", "comment", "permissions", "id-token"], "write"),
        "WF-TRIGGER",
        "OIDC",
    ),
    ("fork-reaches-self-hosted", "preview.yml", lambda d: d["jobs"]["preview"].pop("if"), "WF-FORK", "fork"),
    (
        "unused-pull-requests-write",
        "drift.yml",
        _set(["jobs", "drift", "permissions", "pull-requests"], "write"),
        "WF-SCOPE",
        "pull-requests: write",
    ),
    (
        "contents-write",
        "preview.yml",
        _set(["jobs", "offline-plan", "permissions", "contents"], "write"),
        "WF-SCOPE",
        "contents: write",
    ),
    (
        "secret-scan-cancels-main",
        "secrets-scan.yml",
        _set(["concurrency", "cancel-in-progress"], True),
        "WF-CANCEL",
        "only pull request runs",
    ),
    (
        "deploy-cancels",
        "deploy.yml",
        _set(["jobs", "up-prod", "concurrency", "cancel-in-progress"], True),
        "WF-CANCEL",
        "up-prod",
    ),
    (
        "drift-in-deploy-group",
        "drift.yml",
        _set(["jobs", "drift", "concurrency", "group"], "pulumi-${{ matrix.stack }}"),
        "WF-CONCURRENCY",
        "pulumi-prod",
    ),
    (
        "up-outlives-token",
        "deploy.yml",
        _set(["jobs", "up-prod", "timeout-minutes"], 60),
        "WF-TTL",
        "deployer",
    ),
    (
        "preview-outlives-token",
        "preview.yml",
        _set(["jobs", "preview", "timeout-minutes"], 45),
        "WF-TTL",
        "previewer",
    ),
    ("no-timeout", "drift.yml", lambda d: d["jobs"]["drift"].pop("timeout-minutes"), "WF-TTL", "None"),
    (
        "cli-version-inline",
        "drift.yml",
        _pulumi("drift", "pulumi-version", "3.200.0"),
        "WF-PULUMI",
        ".pulumi-version",
    ),
    (
        "cli-version-file-missing",
        "preview.yml",
        _pulumi("preview", "pulumi-version-file", None),
        "WF-PULUMI",
        ".pulumi-version",
    ),
    ("up-without-plan", "deploy.yml", _pulumi("up-staging", "plan", None), "WF-PULUMI", "without `plan:`"),
    (
        "plan-without-refresh",
        "deploy.yml",
        _pulumi("plan-prod", "refresh", None),
        "WF-PULUMI",
        "without `refresh: true`",
    ),
    (
        "up-without-refresh",
        "deploy.yml",
        _pulumi("up-prod", "refresh", False),
        "WF-PULUMI",
        "without `refresh: true`",
    ),
    (
        "plan-not-in-summary",
        "deploy.yml",
        _pulumi("plan-staging", "comment-on-summary", None),
        "WF-PULUMI",
        "comment-on-summary",
    ),
    (
        "up-as-previewer",
        "drift.yml",
        _pulumi("drift", "command", "up"),
        "WF-PULUMI",
        "writes state, without the deployer",
    ),
]


BAD += [
    (
        "preview-on-deploy-runners",
        "preview.yml",
        _set(["jobs", "preview", "runs-on"], ["self-hosted", "linux", "vault-platform-deploy"]),
        "WF-RUNNERS",
        "pull request code runs only",
    ),
    (
        "up-on-preview-runners",
        "deploy.yml",
        _set(["jobs", "up-prod", "runs-on"], ["self-hosted", "linux", "vault-platform-preview"]),
        "WF-RUNNERS",
        "deploy and drift jobs run only",
    ),
    (
        "plan-on-both-pools",
        "deploy.yml",
        _set(
            ["jobs", "plan-staging", "runs-on"],
            ["self-hosted", "linux", "vault-platform-deploy", "vault-platform-preview"],
        ),
        "WF-RUNNERS",
        "plan-staging",
    ),
    (
        "prod-previewed-on-pull-requests",
        "preview.yml",
        lambda d: d["jobs"]["preview"]["strategy"]["matrix"]["include"].append(
            {"stack": "prod", "wif_provider": "GCP_WIF_PROVIDER_PROD", "vault_ca": "VAULT_CA_CERT_B64_PROD"}
        ),
        "WF-PR-STACKS",
        "stack `prod`",
    ),
    (
        "no-gke-auth-plugin",
        "deploy.yml",
        lambda d: d["jobs"]["up-prod"]["steps"].remove(
            step(d["jobs"]["up-prod"], "google-github-actions/setup-gcloud")
        ),
        "WF-GKE-AUTH",
        "up-prod",
    ),
    (
        "gke-auth-plugin-after-pulumi",
        "drift.yml",
        lambda d: d["jobs"]["drift"]["steps"].append(
            d["jobs"]["drift"]["steps"].pop(
                d["jobs"]["drift"]["steps"].index(
                    step(d["jobs"]["drift"], "google-github-actions/setup-gcloud")
                )
            )
        ),
        "WF-GKE-AUTH",
        "drift",
    ),
]


def _ungate(job: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        for s in document["jobs"][job]["steps"]:
            if "bootstrapped" in str(s.get("if", "")):
                del s["if"]

    return change


BAD += [
    ("plan-runs-unbootstrapped", "deploy.yml", _ungate("plan-staging"), "WF-BOOTSTRAP", "plan-staging"),
    ("drift-runs-unbootstrapped", "drift.yml", _ungate("drift"), "WF-BOOTSTRAP", "without `if:"),
    (
        "up-not-gated-on-plan",
        "deploy.yml",
        lambda d: d["jobs"]["up-prod"].pop("if"),
        "WF-BOOTSTRAP",
        "up-prod",
    ),
    (
        "silent-skip",
        "preview.yml",
        lambda d: d["jobs"]["preview"]["steps"].remove(
            next(s for s in d["jobs"]["preview"]["steps"] if "::warning" in str(s.get("run", "")))
        ),
        "WF-BOOTSTRAP",
        "without a `::warning::`",
    ),
]


def test_shipped_workflows_pass_every_project_rule():
    assert workflow_rules.findings(shipped().values(), LIMITS) == []


@pytest.mark.parametrize(("case", "name", "change", "rule", "text"), BAD, ids=[b[0] for b in BAD])
def test_rule_fires_on_a_bad_variant(case: str, name: str, change, rule: str, text: str):
    found = workflow_rules.findings(mutated(name, change), LIMITS)
    hits = [f for f in found if rule in f]
    assert hits, f"{rule} did not fire on {case}: {found}"
    assert any(text in f for f in hits), hits


def test_every_rule_has_a_firing_case():
    documented = {
        line.split(":")[0].strip("- ") for line in workflow_rules.__doc__.splitlines() if "WF-" in line[:8]
    }
    covered = {b[3] for b in BAD} | {"WF-ZIZMOR"}  # WF-ZIZMOR: its own test below (a text rule)
    covered |= {"WF-AUDITOR"}  # tests/delivery/test_keys_workflow.py
    assert len(documented) == len(workflow_rules.RULES) == 15
    assert documented == covered, documented ^ covered


def test_zizmor_ignore_only_for_workflow_run(tmp_path: Path):
    flows = shipped()
    comment = flows["preview-comment.yml"]
    bad_text = comment.text + "\n# zizmor: ignore[template-injection]\n"
    flows["preview-comment.yml"] = Workflow(comment.path, bad_text, comment.document)
    found = workflow_rules.findings(flows.values(), LIMITS)
    assert any("WF-ZIZMOR" in f for f in found), found
    # The shipped ignore (dangerous-triggers on the workflow_run trigger, with a reason) is accepted.
    assert "zizmor: ignore[dangerous-triggers]" in comment.text


def test_ttl_rule_follows_the_stack_config():
    """Lower the deployer token lifetime in config and the shipped 30-minute `up` jobs stop passing."""
    short = workflow_rules.Limits(deployer_ttl=900, previewer_ttl=LIMITS.previewer_ttl)
    found = workflow_rules.findings(shipped().values(), short)
    assert {f.split("job `")[1].split("`")[0] for f in found if "WF-TTL" in f} == {"up-staging", "up-prod"}


def test_lint_entry_point_reports_a_project_rule(tmp_path: Path, capsys):
    """End to end through `python -m infra.ops.workflow_lint`: text edit of a shipped file."""
    text = (workflow_lint.WORKFLOWS / "drift.yml").read_text()
    bad = text.replace("role: ${{ steps.stack.outputs.previewer_role }}", f"role: {DEPLOYER_ROLE}")
    assert bad != text
    path = tmp_path / "drift.yml"
    path.write_text(bad)
    assert workflow_lint.main([str(path)]) == 1
    assert "WF-READONLY" in capsys.readouterr().out
