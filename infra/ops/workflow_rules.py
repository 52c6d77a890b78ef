"""The project's security rules for its GitHub workflows, on the parsed YAML (workflow_lint runs them).

What they protect: a pull request, a fork or a schedule can only ever obtain the read-only CI identity
(Vault JWT role `previewer`, GCP `ci-previewer`); the write identity (`deployer`, `ci-deployer`) is
reached only by deploy.yml's `up` jobs, on main, behind the stack's environment approval, applying
the plan the reviewers saw, with a token that outlives the job. Each rule names what it protects:

- WF-DEPLOYER: a job that logs in as the deployer is in the deploy workflow the deployer role is
  bound to, which triggers only on pushes to main and workflow_dispatch; it runs in a GitHub
  environment and starts with the main-only guard step.
- WF-READONLY: workflows triggered by anything else (pull_request, schedule, workflow_run...) never
  reference the deployer nor run in an environment; a job never logs in as both identities; a
  previewer job never runs in an environment (the gate is for writes, and a preview must not wait).
- WF-TRIGGER: no `pull_request_target`; a `workflow_run` workflow checks out nothing, holds no OIDC
  token and no secret, runs on GitHub's runners.
- WF-FORK: in pull_request workflows, jobs on self-hosted runners or with `id-token: write` run only
  for same-repository PRs.
- WF-SCOPE: write scopes only where the job uses them (`pull-requests: write` to comment,
  `issues: write` for `gh issue`); never contents/packages/deployments/... write.
- WF-CANCEL: `cancel-in-progress` never true for a run on main (only for pull requests).
- WF-CONCURRENCY: read-only jobs never share a concurrency group with a deployer job.
- WF-TTL: a credentialed job's `timeout-minutes` fits in its identity's token lifetime.
- WF-PULUMI: every pulumi/actions step takes the CLI version from `.pulumi-version`; an `up` applies a
  saved plan produced by a `preview` job it needs, whose diff is in the run summary; state-writing
  commands (up, refresh, destroy) run only as the deployer.
- WF-ZIZMOR: a zizmor finding may be silenced only for `dangerous-triggers` on a `workflow_run`
  trigger (WF-TRIGGER checks what zizmor cannot).
- WF-RUNNERS: PR code and the deploy never share a runner: every self-hosted job of a pull_request
  workflow runs on the `vault-platform-preview` pool, every self-hosted job of the deploy and drift
  workflows and the keys report (main's code, prod credentials) on `vault-platform-deploy`, never both (.github/CI.md: the
  pools are ephemeral runner groups, the deploy group restricted to those workflows on main).
- WF-PR-STACKS: a pull_request job logs in only to stacks whose previewer accepts `pull_request`
  (`previewer.events`; prod binds its previewer to main instead: `previewer.branch`).
- WF-GKE-AUTH: a job running a pulumi command against a stack with a GKE cluster first installs
  `gke-gcloud-auth-plugin` (google-github-actions/setup-gcloud `install_components`): the Kubernetes
  provider's kubeconfig execs it (infra/platform/gke.py).
- WF-BOOTSTRAP: a job running a pulumi command skips it while the stack is not bootstrapped (ci_env's
  `bootstrapped`: operator placeholders still in the committed stack file, which a real preview/up
  refuses): the step is conditional on `steps.stack.outputs.bootstrapped == 'true'` and a step
  prints a `::warning::` with the unset keys, or the job is conditional on the `bootstrapped` output
  of a job it needs that does so.
- WF-AUDITOR: the third, read-only identity `keys-auditor` (provider keys' metadata, for the overdue
  report) logs in only from the workflow its role is bound to, never in an environment, and within its
  token's lifetime (WF-TTL).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PULUMI_VERSION_FILE = ".pulumi-version"
DEPLOY_RUNNER = "vault-platform-deploy"
PREVIEW_RUNNER = "vault-platform-preview"
# main's code only (push/schedule/dispatch); the deploy runner group is restricted to them on main
TRUSTED_WORKFLOWS = ("deploy.yml", "drift.yml", "keys-overdue.yml")
SETUP_GCLOUD = "google-github-actions/setup-gcloud"
GKE_AUTH_PLUGIN = "gke-gcloud-auth-plugin"
DEPLOY_WORKFLOW = "deploy.yml"
KEYS_AUDITOR = "keys-auditor"
AUDITOR_WORKFLOW = "keys-overdue.yml"
MAIN_REF = "refs/heads/main"
MAIN_GUARD_ID = "main-only"
SAME_REPO_GUARD = "github.event.pull_request.head.repo.full_name == github.repository"
PR_ONLY_CANCEL = "github.event_name == 'pull_request'"
# Events a deploy may start from; everything else is "read-only" territory.
DEPLOY_EVENTS = frozenset({"push", "workflow_dispatch"})
STATE_WRITING = frozenset({"up", "update", "refresh", "destroy"})
# Write scopes a job may hold, and how to recognise that it uses them.
_COMMENTS = re.compile(r"gh (?:api\b.*comments|pr comment)|issues/comments", re.S)
_ISSUES = re.compile(r"\bgh (?:issue|label)\b")


@dataclass(frozen=True)
class Workflow:
    path: Path
    text: str
    document: dict[Any, Any]  # YAML keys: the bare key `on` loads as the boolean True

    @property
    def triggers(self) -> dict[str, Any]:
        # YAML 1.1 reads the bare key `on` as the boolean True.
        raw = self.document.get("on", self.document.get(True))
        if isinstance(raw, str):
            return {raw: None}
        if isinstance(raw, list):
            return dict.fromkeys(raw)
        return dict(raw or {})

    @property
    def jobs(self) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in (self.document.get("jobs") or {}).items() if isinstance(v, dict)}

    def deploys_only_from_main(self) -> bool:
        triggers = self.triggers
        if not triggers or set(triggers) - DEPLOY_EVENTS:
            return False
        push = triggers.get("push")
        # Only `push: {branches: [main]}`: a bare `push` runs on every branch.
        only_main = (
            isinstance(push, dict) and push.get("branches") == ["main"] and not set(push) - {"branches"}
        )
        return "push" not in triggers or only_main

    def read_only(self) -> bool:
        """Triggered by anything besides push/workflow_dispatch: PRs, forks, schedules, other runs."""
        return bool(set(self.triggers) - DEPLOY_EVENTS)


@dataclass(frozen=True)
class Limits:
    """What the stack configs say the workflows must respect (token lifetimes, the deploy file)."""

    deployer_ttl: int
    previewer_ttl: int
    deploy_workflow: str = DEPLOY_WORKFLOW
    auditor_ttl: int = 600
    auditor_workflow: str = AUDITOR_WORKFLOW
    # Stacks with a GKE cluster (WF-GKE-AUTH) and stacks whose previewer accepts pull_request
    # (WF-PR-STACKS; None: not checked).
    gke_stacks: frozenset[str] = frozenset()
    pr_preview_stacks: frozenset[str] | None = None


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in job.get("steps") or [] if isinstance(s, dict)]


def _action(step: dict[str, Any]) -> str:
    return str(step.get("uses", "")).split("@")[0]


def _with(step: dict[str, Any]) -> dict[str, Any]:
    return step.get("with") or {}


def identities(job: dict[str, Any]) -> set[str]:
    """The CI identities a job logs in as: 'deployer', 'previewer', 'keys-auditor' (Vault only), or
    'unknown' for another login."""
    found = set()
    for step in _steps(job):
        value = None
        if _action(step) == "hashicorp/vault-action":
            value = str(_with(step).get("role", ""))
        elif _action(step) == "google-github-actions/auth":
            value = str(_with(step).get("service_account", ""))
        if value is None:
            continue
        if "deployer" in value:
            found.add("deployer")
        elif "previewer" in value:
            found.add("previewer")
        elif _action(step) == "hashicorp/vault-action" and KEYS_AUDITOR.replace("-", "_") in value.replace(
            "-", "_"
        ):
            found.add(KEYS_AUDITOR)
        else:
            found.add("unknown")
    return found


def _mentions_deployer(job: dict[str, Any]) -> bool:
    # Parsed YAML: comments are gone, so only what the job does counts.
    return "deployer" in json.dumps(job, default=str).lower()


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(str(s.get("run", "")) for s in _steps(job))


def _self_hosted(job: dict[str, Any]) -> bool:
    runs_on = job.get("runs-on")
    labels = runs_on if isinstance(runs_on, list) else [runs_on]
    return any("self-hosted" in str(label) for label in labels)


def _permissions(job: dict[str, Any]) -> dict[str, str]:
    perms = job.get("permissions")
    return {str(k): str(v) for k, v in perms.items()} if isinstance(perms, dict) else {}


def _matrix_stacks(job: dict[str, Any]) -> list[str]:
    matrix = (job.get("strategy") or {}).get("matrix") or {}
    if not isinstance(matrix, dict):
        return []
    stacks = [str(s) for s in matrix.get("stack") or []] if isinstance(matrix.get("stack"), list) else []
    stacks += [str(i["stack"]) for i in matrix.get("include") or [] if isinstance(i, dict) and "stack" in i]
    return stacks


def concurrency_groups(job: dict[str, Any]) -> set[str]:
    """The job's concurrency group(s), `${{ matrix.stack }}` expanded per matrix entry."""
    concurrency = job.get("concurrency")
    group = concurrency.get("group") if isinstance(concurrency, dict) else concurrency
    if not group:
        return set()
    pattern = re.compile(r"\$\{\{\s*matrix\.stack\s*\}\}")
    stacks = _matrix_stacks(job)
    if pattern.search(str(group)) and stacks:
        return {pattern.sub(stack, str(group)) for stack in stacks}
    return {str(group)}


# ----------------------------------------------------------------------------------------- rules

Rule = Callable[[list[Workflow], Limits], Iterator[str]]


def _jobs(workflows: list[Workflow]) -> Iterator[tuple[Workflow, str, dict[str, Any]]]:
    for wf in workflows:
        for name, job in wf.jobs.items():
            yield wf, name, job


def deployer_rule(workflows: list[Workflow], limits: Limits) -> Iterator[str]:
    for wf, name, job in _jobs(workflows):
        if "deployer" not in identities(job):
            continue
        where = f"{wf.path}: WF-DEPLOYER: job `{name}` logs in as the deployer"
        if wf.path.name != limits.deploy_workflow:
            yield f"{where} outside {limits.deploy_workflow}, the only workflow its role is bound to"
        if not wf.deploys_only_from_main():
            yield f"{where} in a workflow triggered by {sorted(wf.triggers)}; allowed: push to [main], workflow_dispatch"
        if not job.get("environment"):
            yield f"{where} without `environment:`: the environment's approval is the gate"
        first = _steps(job)[:1]
        if not first or first[0].get("id") != MAIN_GUARD_ID or MAIN_REF not in str(first[0].get("run", "")):
            yield f"{where} without the `{MAIN_GUARD_ID}` guard step first (fail unless GITHUB_REF is {MAIN_REF})"


def readonly_rule(workflows: list[Workflow], limits: Limits) -> Iterator[str]:
    for wf, name, job in _jobs(workflows):
        who = identities(job)
        where = f"{wf.path}: WF-READONLY: job `{name}`"
        if wf.read_only():
            triggers = ", ".join(sorted(wf.triggers))
            if _mentions_deployer(job):
                yield f"{where} references the deployer in a workflow triggered by {triggers}"
            if job.get("environment"):
                yield f"{where} runs in an environment in a workflow triggered by {triggers}"
        if {"deployer", "previewer"} <= who:
            yield f"{where} logs in as both the previewer and the deployer"
        if "unknown" in who:
            yield f"{where} logs in with a role or service account that is neither previewer nor deployer"
        if "previewer" in who and job.get("environment"):
            yield f"{where} logs in as the previewer inside an environment (previews are not gated)"


def trigger_rule(workflows: list[Workflow], limits: Limits) -> Iterator[str]:
    for wf in workflows:
        if "pull_request_target" in wf.triggers:
            yield (
                f"{wf.path}: WF-TRIGGER: `pull_request_target` runs with a write token next to the PR's "
                "code; use pull_request + a workflow_run commenter"
            )
        if "workflow_run" not in wf.triggers:
            continue
        for name, job in wf.jobs.items():
            where = f"{wf.path}: WF-TRIGGER: job `{name}` of a workflow_run workflow"
            if any(_action(s) == "actions/checkout" for s in _steps(job)):
                yield f"{where} checks out code (the triggering run's data must stay data)"
            if _permissions(job).get("id-token") == "write":
                yield f"{where} may mint an OIDC token"
            if "secrets." in json.dumps(job, default=str):
                yield f"{where} reads a secret"
            if _self_hosted(job):
                yield f"{where} runs on a self-hosted runner"


def fork_rule(workflows: list[Workflow], limits: Limits) -> Iterator[str]:
    for wf, name, job in _jobs(workflows):
        if "pull_request" not in wf.triggers:
            continue
        credentialed = _permissions(job).get("id-token") == "write"
        if (credentialed or _self_hosted(job)) and SAME_REPO_GUARD not in str(job.get("if", "")):
            yield (
                f"{wf.path}: WF-FORK: job `{name}` (self-hosted or OIDC) needs `if: {SAME_REPO_GUARD}` "
                "so a fork's code never reaches it"
            )


def _comments(job: dict[str, Any]) -> bool:
    pulumi_comments = any(
        _action(s) == "pulumi/actions" and _with(s).get("comment-on-pr") in (True, "true")
        for s in _steps(job)
    )
    return pulumi_comments or bool(_COMMENTS.search(_runs(job)))


def scope_rule(workflows: list[Workflow], limits: Limits) -> Iterator[str]:
    for wf, name, job in _jobs(workflows):
        for scope, level in _permissions(job).items():
            if level != "write" or scope == "id-token":  # id-token: workflow_lint's WF-PERM
                continue
            used = (scope == "pull-requests" and _comments(job)) or (
                scope == "issues" and bool(_ISSUES.search(_runs(job)))
            )
            if not used:
                yield f"{wf.path}: WF-SCOPE: job `{name}` holds `{scope}: write` and does not use it"


def cancel_rule(workflows: list[Workflow], limits: Limits) -> Iterator[str]:
    for wf in workflows:
        if set(wf.triggers) <= {"pull_request"}:
            continue  # every run is a PR's
        places = [("workflow", wf.document.get("concurrency"))]
        places += [(f"job `{n}`", j.get("concurrency")) for n, j in wf.jobs.items()]
        for where, concurrency in places:
            cancel = concurrency.get("cancel-in-progress") if isinstance(concurrency, dict) else None
            if cancel in (None, False, "false"):
                continue
            if isinstance(cancel, str) and PR_ONLY_CANCEL in cancel and "||" not in cancel:
                continue
            yield (
                f"{wf.path}: WF-CANCEL: {where} has cancel-in-progress: {cancel!r} in a workflow that runs on "
                f"{sorted(wf.triggers)}; only pull request runs may be cancelled (`${{{{ {PR_ONLY_CANCEL} }}}}`)"
            )


def concurrency_rule(workflows: list[Workflow], limits: Limits) -> Iterator[str]:
    deploy_groups: dict[str, str] = {}
    for wf, name, job in _jobs(workflows):
        if "deployer" in identities(job):
            deploy_groups |= dict.fromkeys(concurrency_groups(job), f"{wf.path.name}:{name}")
        if wf.path.name == limits.deploy_workflow and wf.document.get("concurrency"):
            deploy_groups |= dict.fromkeys(concurrency_groups(wf.document), f"{wf.path.name}")
    for wf, name, job in _jobs(workflows):
        if "deployer" in identities(job) or wf.path.name == limits.deploy_workflow:
            continue
        for group in sorted(concurrency_groups(job) & set(deploy_groups)):
            yield (
                f"{wf.path}: WF-CONCURRENCY: job `{name}` shares concurrency group `{group}` with "
                f"{deploy_groups[group]}: a read-only run would queue behind (or hold up) a deploy"
            )


def ttl_rule(workflows: list[Workflow], limits: Limits) -> Iterator[str]:
    lifetimes = {
        "deployer": limits.deployer_ttl,
        "previewer": limits.previewer_ttl,
        KEYS_AUDITOR: limits.auditor_ttl,
    }
    for wf, name, job in _jobs(workflows):
        who = identities(job) & set(lifetimes)
        if not who:
            continue
        ttl = min(lifetimes[w] for w in who)
        minutes = job.get("timeout-minutes")
        if not isinstance(minutes, int) or minutes * 60 > ttl:
            yield (
                f"{wf.path}: WF-TTL: job `{name}` has timeout-minutes {minutes!r}; the {'/'.join(sorted(who))} "
                f"token lives {ttl // 60} min: the job must end before its token does"
            )


def _pulumi_steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in _steps(job) if _action(s) == "pulumi/actions"]


def pulumi_rule(workflows: list[Workflow], limits: Limits) -> Iterator[str]:
    for wf, name, job in _jobs(workflows):
        for step in _pulumi_steps(job):
            args = _with(step)
            where = f"{wf.path}: WF-PULUMI: job `{name}`"
            if args.get("pulumi-version-file") != PULUMI_VERSION_FILE or "pulumi-version" in args:
                yield f"{where} must take the CLI version from `pulumi-version-file: {PULUMI_VERSION_FILE}` only"
            command = str(args.get("command", ""))
            if command in STATE_WRITING and "deployer" not in identities(job):
                yield f"{where} runs `pulumi {command}`, which writes state, without the deployer identity"
            if command in ("up", "update"):
                yield from _plan_findings(wf, name, job, str(args.get("plan", "")))
            if (
                command in ("preview", "up", "update")
                and args.get("plan")
                and args.get("refresh")
                not in (
                    True,
                    "true",
                )
            ):
                # State can lag the real world (bootstrap updates by an operator, a deleted object):
                # a plan computed against stale state fails to apply or rewrites what it must not.
                yield f"{where} saves or applies a plan without `refresh: true`"


def _plan_findings(wf: Workflow, name: str, job: dict[str, Any], plan: str) -> Iterator[str]:
    where = f"{wf.path}: WF-PULUMI: job `{name}`"
    if not plan:
        yield f"{where} runs `up` without `plan:`: it must apply the saved plan the approvers saw"
        return
    needs = job.get("needs") or []
    needs = [needs] if isinstance(needs, str) else list(needs)
    basename = plan.rsplit("/", 1)[-1]
    for needed in needs:
        for step in _pulumi_steps(wf.jobs.get(needed, {})):
            args = _with(step)
            if (
                args.get("command") == "preview"
                and str(args.get("plan", "")).rsplit("/", 1)[-1] == basename
                and args.get("comment-on-summary") in (True, "true")
            ):
                return
    yield (
        f"{where} applies plan `{basename}` that no job it needs saved with `preview` + `plan:` + "
        "`comment-on-summary: true` (the diff reviewers read before approving)"
    )


def auditor_rule(workflows: list[Workflow], limits: Limits) -> Iterator[str]:
    for wf, name, job in _jobs(workflows):
        who = identities(job)
        if KEYS_AUDITOR not in who:
            continue
        where = f"{wf.path}: WF-AUDITOR: job `{name}` logs in as {KEYS_AUDITOR}"
        if wf.path.name != limits.auditor_workflow:
            yield f"{where} outside {limits.auditor_workflow}, the only workflow its role is bound to"
        if job.get("environment"):
            yield f"{where} inside an environment (a read-only report is not gated)"
        if who - {KEYS_AUDITOR}:
            yield f"{where} and as {sorted(who - {KEYS_AUDITOR})} in the same job"


def zizmor_ignore_rule(workflows: list[Workflow], limits: Limits) -> Iterator[str]:
    for wf in workflows:
        for number, line in enumerate(wf.text.splitlines(), 1):
            if "zizmor: ignore" not in line:
                continue
            if re.match(r"^\s*workflow_run:\s*#\s*zizmor: ignore\[dangerous-triggers\]\s+\S", line):
                continue
            yield (
                f"{wf.path}:{number}: WF-ZIZMOR: zizmor findings may be ignored only as "
                "`workflow_run: # zizmor: ignore[dangerous-triggers] <why>`"
            )


def _labels(job: dict[str, Any]) -> list[str]:
    runs_on = job.get("runs-on")
    return [str(x) for x in runs_on] if isinstance(runs_on, list) else [str(runs_on)]


def runner_rule(workflows: list[Workflow], limits: Limits) -> Iterator[str]:
    for wf, name, job in _jobs(workflows):
        if not _self_hosted(job):
            continue
        labels = _labels(job)
        where = f"{wf.path}: WF-RUNNERS: job `{name}` runs-on {labels}"
        trusted = wf.path.name in (limits.deploy_workflow, *TRUSTED_WORKFLOWS) or "deployer" in identities(
            job
        )
        if "pull_request" in wf.triggers:
            if PREVIEW_RUNNER not in labels or DEPLOY_RUNNER in labels:
                yield f"{where}: pull request code runs only on the `{PREVIEW_RUNNER}` pool, never on `{DEPLOY_RUNNER}`"
        elif trusted:
            if DEPLOY_RUNNER not in labels or PREVIEW_RUNNER in labels:
                yield f"{where}: deploy and drift jobs run only on the `{DEPLOY_RUNNER}` pool"
        elif not {DEPLOY_RUNNER, PREVIEW_RUNNER} & set(labels):
            yield f"{where}: a self-hosted job names its pool (`{DEPLOY_RUNNER}` or `{PREVIEW_RUNNER}`)"


def _job_stacks(job: dict[str, Any]) -> set[str]:
    stacks = set(_matrix_stacks(job))
    for step in _pulumi_steps(job):
        stack = str(_with(step).get("stack-name", ""))
        if stack and "${{" not in stack:
            stacks.add(stack)
    return stacks


def pr_stacks_rule(workflows: list[Workflow], limits: Limits) -> Iterator[str]:
    if limits.pr_preview_stacks is None:
        return
    for wf, name, job in _jobs(workflows):
        if "pull_request" not in wf.triggers or not identities(job):
            continue
        for stack in sorted(_job_stacks(job) - limits.pr_preview_stacks):
            yield (
                f"{wf.path}: WF-PR-STACKS: job `{name}` logs in to stack `{stack}` on pull requests, whose "
                "previewer refuses pull_request tokens (previewer.branch): show its diff offline instead"
            )


def gke_auth_rule(workflows: list[Workflow], limits: Limits) -> Iterator[str]:
    for wf, name, job in _jobs(workflows):
        steps = _steps(job)
        commands = [
            i for i, s in enumerate(steps) if _action(s) == "pulumi/actions" and _with(s).get("command")
        ]
        if not commands or not _job_stacks(job) & limits.gke_stacks:
            continue
        installs = [
            i
            for i, s in enumerate(steps)
            if _action(s) == SETUP_GCLOUD and GKE_AUTH_PLUGIN in str(_with(s).get("install_components", ""))
        ]
        if not installs or installs[0] > commands[0]:
            yield (
                f"{wf.path}: WF-GKE-AUTH: job `{name}` runs pulumi against a GKE stack without installing "
                f"`{GKE_AUTH_PLUGIN}` first ({SETUP_GCLOUD} with `install_components: {GKE_AUTH_PLUGIN}`)"
            )


BOOTSTRAPPED = "steps.stack.outputs.bootstrapped == 'true'"
NOT_BOOTSTRAPPED = "steps.stack.outputs.bootstrapped != 'true'"


def _condition(item: dict[str, Any]) -> str:
    return " ".join(str(item.get("if", "")).split())


def _gated_by_needed_job(wf: Workflow, job: dict[str, Any]) -> bool:
    needs = job.get("needs") or []
    for needed in [needs] if isinstance(needs, str) else list(needs):
        output = str((wf.jobs.get(needed, {}).get("outputs") or {}).get("bootstrapped", ""))
        if (
            f"needs.{needed}.outputs.bootstrapped == 'true'" in _condition(job)
            and "steps.stack.outputs.bootstrapped" in output
            and _warns(wf.jobs[needed])
        ):
            return True
    return False


def _warns(job: dict[str, Any]) -> bool:
    return any(
        NOT_BOOTSTRAPPED in _condition(s) and "::warning" in str(s.get("run", "")) and "unset" in str(s)
        for s in _steps(job)
    )


def bootstrap_rule(workflows: list[Workflow], limits: Limits) -> Iterator[str]:
    for wf, name, job in _jobs(workflows):
        commands = [s for s in _pulumi_steps(job) if _with(s).get("command")]
        if not commands or _gated_by_needed_job(wf, job):
            continue
        where = f"{wf.path}: WF-BOOTSTRAP: job `{name}`"
        if any(BOOTSTRAPPED not in _condition(s) for s in commands):
            yield (
                f"{where} runs pulumi without `if: {BOOTSTRAPPED}`: a stack file with operator "
                "placeholders fails every run instead of being skipped"
            )
        elif not _warns(job):
            yield f"{where} skips a stack that is not bootstrapped without a `::warning::` naming the unset keys"


RULES: tuple[Rule, ...] = (
    deployer_rule,
    readonly_rule,
    trigger_rule,
    fork_rule,
    scope_rule,
    cancel_rule,
    concurrency_rule,
    ttl_rule,
    pulumi_rule,
    auditor_rule,
    zizmor_ignore_rule,
    runner_rule,
    pr_stacks_rule,
    gke_auth_rule,
    bootstrap_rule,
)


def findings(workflows: Iterable[Workflow], limits: Limits) -> list[str]:
    loaded = list(workflows)
    return [finding for rule in RULES for finding in rule(loaded, limits)]
