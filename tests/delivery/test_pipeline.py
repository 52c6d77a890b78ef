"""What the shipped workflows do for a reviewer and an approver, and which credentials each run can get.

The acceptance "a pull-request workflow run can obtain only read-only credentials in Vault and GCP"
is checked here on the workflow side: every job a pull request can start logs in only as the
previewer (its role and service account resolved through the same `ci_env` the jobs run), and the
identity config binds the deployer to claims a pull-request run never carries. That the Vault and
GCP bindings refuse such a token is the identity layers' own test.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from infra.config import parse_stack_config
from infra.harness import read_stack_config
from infra.ops import ci_env, workflow_lint
from infra.ops.workflow_rules import Workflow, identities

CLOUD_STACKS = ("staging", "prod")


def _load(name: str) -> dict[str, Any]:
    return yaml.safe_load((workflow_lint.WORKFLOWS / name).read_text())


def _uses(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job.get("steps") or [] if str(s.get("uses", "")).startswith(action + "@")]


def _command(job: dict[str, Any]) -> dict[str, Any]:
    return next(s["with"] for s in _uses(job, "pulumi/actions") if "command" in s["with"])


def _workflows() -> list[Workflow]:
    return [
        Workflow(p, p.read_text(), yaml.safe_load(p.read_text()))
        for p in workflow_lint.workflow_files([workflow_lint.WORKFLOWS])
    ]


def _outputs(job: dict[str, Any], stack: str) -> dict[str, str]:
    """`steps.stack.outputs.*` as the job would see them: what `ci_env STACK` prints."""
    return ci_env.stack_env(stack)


def _resolve(value: str, outputs: dict[str, str]) -> str:
    for key, resolved in outputs.items():
        value = value.replace(f"${{{{ steps.stack.outputs.{key} }}}}", resolved)
    return value


# ------------------------------------------------------------------ pull requests: read-only only


def test_a_pull_request_run_can_only_log_in_as_the_previewer():
    pr_workflows = [wf for wf in _workflows() if {"pull_request", "pull_request_target"} & set(wf.triggers)]
    assert sorted(wf.path.name for wf in pr_workflows) == ["preview.yml", "secrets-scan.yml"]
    credentialed = 0
    for wf in pr_workflows:
        for name, job in wf.jobs.items():
            perms = job.get("permissions") or {}
            if perms.get("id-token") != "write":
                assert not identities(job), name  # no OIDC token, no login
                continue
            credentialed += 1
            assert identities(job) == {"previewer"}, name
            for stack in CLOUD_STACKS:
                outputs = _outputs(job, stack)
                vault = _uses(job, "hashicorp/vault-action")[0]["with"]
                gcp = _uses(job, "google-github-actions/auth")[0]["with"]
                assert _resolve(vault["role"], outputs) == "previewer"
                assert _resolve(vault["jwtGithubAudience"], outputs) == f"vault-platform-{stack}"
                assert _resolve(gcp["service_account"], outputs).startswith("ci-previewer@")
                assert _resolve(gcp["audience"], outputs) == f"vault-platform-{stack}"
                assert "credentials_json" not in gcp, "no JSON keys"
    assert credentialed == 1


def test_a_pull_request_run_carries_no_claim_the_deployer_accepts():
    """The deployer is bound to main, push/dispatch and deploy.yml; a PR run has none of the three."""
    pr_files = {f".github/workflows/{wf.path.name}" for wf in _workflows() if "pull_request" in wf.triggers}
    for stack in CLOUD_STACKS:
        cfg = parse_stack_config(read_stack_config(stack))
        assert "pull_request" not in cfg.deployer.events and "pull_request_target" not in cfg.deployer.events
        assert cfg.deployer.ref == "refs/heads/main"
        assert cfg.deployer.workflow not in pr_files
        assert cfg.deployer.workflow_ref().endswith("/.github/workflows/deploy.yml@refs/heads/main")
        # and deploy.yml itself never runs for a pull request
        assert set(next(wf for wf in _workflows() if wf.path.name == "deploy.yml").triggers) == {
            "push",
            "workflow_dispatch",
        }
        # The previewer may be used by every workflow that logs in as it, and by nothing that writes.
        assert {f".github/workflows/{n}" for n in ("preview.yml", "drift.yml", "deploy.yml")} <= set(
            cfg.previewer.workflows
        )


def test_pr_previews_staging_live_outside_environments_one_edited_comment():
    job = _load("preview.yml")["jobs"]["preview"]
    # prod's previewer refuses PR tokens (previewer.branch): prod's PR diff is the offline plan
    assert [i["stack"] for i in job["strategy"]["matrix"]["include"]] == ["staging"]
    assert "environment" not in job and "needs" not in job
    pulumi = _command(job)
    assert pulumi["command"] == "preview" and pulumi["policyPacks"] == "policies/pack"
    # pulumi/actions heads its comment with the stack name and edits the comment with that heading.
    assert pulumi["comment-on-pr"] is True and pulumi["edit-pr-comment"] is True
    assert job["permissions"] == {"contents": "read", "id-token": "write", "pull-requests": "write"}


def test_offline_plan_runs_for_every_pull_request_without_credentials():
    job = _load("preview.yml")["jobs"]["offline-plan"]
    assert "if" not in job, "forks included"
    assert job["permissions"] == {"contents": "read"} and job["runs-on"] == "ubuntu-latest"
    run = "\n".join(str(s.get("run", "")) for s in job["steps"])
    assert 'vaultctl plan --stack "$stack" --against origin/main --format markdown' in run
    assert "for stack in staging prod" in run
    checkout = _uses(job, "actions/checkout")[0]["with"]
    assert checkout["fetch-depth"] == 0 and checkout["persist-credentials"] is False
    upload = _uses(job, "actions/upload-artifact")[0]["with"]
    assert upload["name"] == "offline-plan"
    # the job still fails on a mandatory violation, after the upload
    names = [s.get("name", s.get("uses", "")) for s in job["steps"]]
    assert names.index("upload for preview-comment.yml") < len(names) - 1


def test_the_offline_plan_is_posted_by_a_workflow_that_runs_no_pr_code():
    wf = _load("preview-comment.yml")
    assert wf[True]["workflow_run"] == {"workflows": ["preview"], "types": ["completed"]}
    job = wf["jobs"]["comment"]
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert not _uses(job, "actions/checkout")
    download = _uses(job, "actions/download-artifact")[0]["with"]
    assert download["name"] == "offline-plan" and "workflow_run.id" in download["run-id"]
    script = job["steps"][-1]["run"]
    env = job["steps"][-1]["env"]
    assert "${{" not in script, "event data reaches the script through env only"
    assert env["RUN_HEAD_SHA"] == "${{ github.event.workflow_run.head_sha }}"
    assert '"$head" != "$RUN_HEAD_SHA"' in script, "the artifact's PR number is checked against the run"
    assert "body=@$body" in script and "vault-platform:offline-plan:$stack" in script


# ------------------------------------------------------------------ main: plan, approval, up of the plan


def test_deploy_plans_then_waits_for_approval_then_applies_that_plan():
    jobs = _load("deploy.yml")["jobs"]
    assert list(jobs) == ["plan-staging", "up-staging", "plan-prod", "up-prod"]
    assert jobs["up-staging"]["needs"] == "plan-staging" and jobs["plan-prod"]["needs"] == "up-staging"
    assert jobs["up-prod"]["needs"] == "plan-prod"
    for stack in CLOUD_STACKS:
        plan, up = jobs[f"plan-{stack}"], jobs[f"up-{stack}"]
        assert "environment" not in plan and identities(plan) == {"previewer"}
        assert up["environment"] == stack and identities(up) == {"deployer"}
        saved, applied = _command(plan), _command(up)
        assert saved["command"] == "preview" and saved["comment-on-summary"] is True
        assert applied["command"] == "up" and applied["plan"] == saved["plan"]
        assert _uses(plan, "actions/upload-artifact")[0]["with"]["name"] == f"plan-{stack}"
        assert _uses(up, "actions/download-artifact")[0]["with"]["name"] == f"plan-{stack}"
        for job in (plan, up):
            guard = job["steps"][0]
            assert guard["id"] == "main-only" and '"$GITHUB_REF" != "refs/heads/main"' in guard["run"]


def test_one_deploy_at_a_time_never_cancelled():
    wf = _load("deploy.yml")
    assert wf["concurrency"] == {"group": "deploy", "cancel-in-progress": False}
    for stack in CLOUD_STACKS:
        assert wf["jobs"][f"up-{stack}"]["concurrency"] == {
            "group": f"pulumi-{stack}",
            "cancel-in-progress": False,
        }


@pytest.mark.parametrize("stack", CLOUD_STACKS)
def test_the_deploy_token_outlives_the_longest_apply(stack: str, declared):
    cfg = parse_stack_config(read_stack_config(stack))
    up = _load("deploy.yml")["jobs"][f"up-{stack}"]
    assert up["timeout-minutes"] * 60 <= cfg.deployer.token_ttl
    assert cfg.deployer.token_ttl >= 1800
    # The Vault provider applies with the deployer's own token (skip_child_token), or with a child
    # token that must then get the deployer token's lifetime, not the provider's 20-minute default.
    provider = next(r for r in declared(stack) if r.type == "pulumi:providers:vault")
    if not provider.inputs.get("skipChildToken"):
        assert int(provider.inputs["maxLeaseTtlSeconds"]) == cfg.deployer.token_ttl


def test_drift_is_read_only_unapproved_and_in_its_own_group():
    wf = _load("drift.yml")
    job = wf["jobs"]["drift"]
    assert identities(job) == {"previewer"} and "environment" not in job
    assert job["concurrency"] == {"group": "drift-${{ matrix.stack }}", "cancel-in-progress": False}
    pulumi = _command(job)
    assert pulumi["expect-no-changes"] is True and pulumi["refresh"] is True
    report = wf["jobs"]["report"]
    assert report["if"] == "failure()" and report["permissions"] == {"issues": "write"}


def test_secret_scan_cancels_only_pull_request_runs():
    wf = _load("secrets-scan.yml")
    assert wf["concurrency"]["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"
    assert "push" in wf[True] and "pull_request" in wf[True]


def test_ci_env_prints_what_the_jobs_read():
    keys_read = set()
    for wf in _workflows():
        keys_read |= set(re.findall(r"steps\.stack\.outputs\.([a-z_]+)", wf.text))
    for stack in CLOUD_STACKS:
        printed = ci_env.stack_env(stack)
        assert keys_read <= set(printed), keys_read - set(printed)
        cfg = parse_stack_config(read_stack_config(stack))
        assert printed["audience"] == cfg.deployer.oidc_audience() == f"vault-platform-{stack}"
        assert (
            printed["gcp_deployer_service_account"]
            == f"ci-deployer@{cfg.gcp.project}.iam.gserviceaccount.com"
        )
    assert "gcp_project" not in ci_env.stack_env("local")


def test_every_oidc_login_requests_its_environments_audience():
    """Vault and the GCP provider accept only `deployer.oidc_audience()`: a token minted for staging is
    refused by prod. Every login asks for the audience `ci_env` prints for its stack."""
    logins = 0
    for wf in _workflows():
        for job in wf.jobs.values():
            for step in _uses(job, "hashicorp/vault-action"):
                assert step["with"]["jwtGithubAudience"] == "${{ steps.stack.outputs.audience }}"
                logins += 1
            for step in _uses(job, "google-github-actions/auth"):
                assert step["with"]["audience"] == "${{ steps.stack.outputs.audience }}"
                logins += 1
    assert logins == 2 * (1 + 1 + 4) + 1  # preview, drift, deploy's four jobs; keys-overdue (Vault only)
