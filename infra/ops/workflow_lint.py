"""Offline validation of the GitHub Actions workflows; `.ci/run` and tests/delivery call it.

Layers, each independent so a gap in one tool is covered by another:
- `check-jsonschema` with its vendored GitHub workflow schema: structure and keys.
- `zizmor --offline` with `.github/zizmor.yml`: security audits (template injection, excessive
  permissions, unpinned actions, credential persistence, dangerous triggers...).
- `actionlint` when it is installed (expressions, `run:` scripts through shellcheck). Its PyPI wrapper
  downloads the binary from GitHub at build time, so it cannot be installed on a registry-only machine;
  the other layers stand in for it there.
- This project's rules, which no tool states exactly: every action pinned by a full commit SHA with a
  `# vX.Y.Z` comment; a top-level `permissions: {}` and explicit per-job permissions; never
  `write-all`; `id-token: write` only in jobs that log in with OIDC (Google WIF or Vault JWT); and
  the CI identity rules of `infra.ops.workflow_rules` (read-only identity for PRs, forks and drift;
  the deployer only on main behind an environment, applying the saved plan; token lifetimes; the
  pinned Pulumi CLI), checked against the stack configs.

    python -m infra.ops.workflow_lint [PATH...]   # default .github/workflows; exit 1 on any finding
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from infra.harness import REPO_ROOT
from infra.ops import workflow_rules

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
ZIZMOR_CONFIG = REPO_ROOT / ".github" / "zizmor.yml"
# Actions that exchange the job's OIDC token; only jobs using one may hold `id-token: write`.
OIDC_ACTIONS = ("google-github-actions/auth", "hashicorp/vault-action", "pulumi/auth-actions")
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>[^\s#]+)\s*(?:#\s*(?P<comment>.*))?$")
PINNED = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"^v\d+\.\d+\.\d+\b")


def _bin(name: str) -> str | None:
    """A tool from this venv first (where `pip install -e .[dev]` puts it), then PATH."""
    local = Path(sys.executable).with_name(name)
    return str(local) if local.is_file() else shutil.which(name)


def workflow_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in (".yml", ".yaml"))
        else:
            files.append(path)
    return files


def pin_findings(path: Path, text: str) -> list[str]:
    findings = []
    for number, line in enumerate(text.splitlines(), 1):
        match = USES.match(line)
        if not match:
            continue
        ref = match.group("ref").strip("'\"")
        if ref.startswith("./"):
            continue  # a local action is reviewed with this repository
        if ref.startswith("docker://"):
            if "@sha256:" not in ref:
                findings.append(f"{path}:{number}: WF-PIN: `{ref}` must be pinned by digest (@sha256:...)")
            continue
        if not PINNED.match(ref):
            findings.append(
                f"{path}:{number}: WF-PIN: `{ref}` must be pinned by a full 40-character commit SHA "
                "(a tag or branch can be moved to other code)"
            )
        elif not VERSION_COMMENT.match(match.group("comment") or ""):
            findings.append(
                f"{path}:{number}: WF-PIN: `{ref}` needs a `# vX.Y.Z` comment naming the release of that SHA"
            )
    return findings


def _steps_use_oidc(job: dict[str, Any]) -> bool:
    for step in job.get("steps") or []:
        uses = str(step.get("uses", "")) if isinstance(step, dict) else ""
        if uses.split("@")[0] in OIDC_ACTIONS:
            return True
    return False


def permission_findings(path: Path, document: Any) -> list[str]:
    if not isinstance(document, dict):
        return [f"{path}: WF-PERM: not a workflow mapping"]
    findings = []
    top = document.get("permissions")
    if top != {}:
        findings.append(
            f"{path}: WF-PERM: set top-level `permissions: {{}}` and grant per job (got {top!r}); without it "
            "every job gets the repository's default token scope"
        )
    for name, job in (document.get("jobs") or {}).items():
        if not isinstance(job, dict):
            continue
        perms = job.get("permissions")
        if "uses" in job and perms is None:
            findings.append(f"{path}: WF-PERM: job `{name}` calls a reusable workflow without `permissions`")
            continue
        if perms is None:
            findings.append(f"{path}: WF-PERM: job `{name}` has no `permissions:` block")
            continue
        if isinstance(perms, str):
            if perms != "read-all":
                findings.append(f"{path}: WF-PERM: job `{name}` has `permissions: {perms}`; list scopes")
            continue
        if perms.get("id-token") == "write" and not _steps_use_oidc(job):
            findings.append(
                f"{path}: WF-PERM: job `{name}` has `id-token: write` but logs in with no OIDC action "
                f"({', '.join(OIDC_ACTIONS)})"
            )
    return findings


def stack_limits(root: Path = REPO_ROOT) -> workflow_rules.Limits:
    """Token lifetimes and the deploy workflow from the cloud stacks' configs (the tightest wins)."""
    from infra.config import parse_stack_config
    from infra.harness import read_stack_config

    paths = sorted(root.glob("Pulumi.*.yaml"))
    by_stack = {p.name.split(".")[1]: parse_stack_config(read_stack_config(p)) for p in paths}
    cloud = {s: c for s, c in by_stack.items() if c.environment != "local"}
    configs = list(cloud.values()) or list(by_stack.values())
    return workflow_rules.Limits(
        deployer_ttl=min(c.deployer.token_ttl for c in configs),
        previewer_ttl=min(c.previewer.token_ttl for c in configs),
        deploy_workflow=Path(configs[0].deployer.workflow).name,
        auditor_ttl=min(c.ai_keys.auditor_token_ttl for c in configs),
        auditor_workflow=Path(configs[0].ai_keys.auditor_workflow).name,
        gke_stacks=frozenset(s for s, c in cloud.items() if c.gcp is not None),
        pr_preview_stacks=frozenset(s for s, c in cloud.items() if "pull_request" in c.previewer.events),
    )


def project_findings(files: list[Path], limits: workflow_rules.Limits | None = None) -> list[str]:
    findings = []
    workflows = []
    for path in files:
        text = path.read_text()
        if re.search(r"permissions:\s*write-all", text):
            findings.append(f"{path}: WF-PERM: `permissions: write-all` grants every scope to the token")
        findings += pin_findings(path, text)
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as err:
            findings.append(f"{path}: WF-YAML: {err}")
            continue
        findings += permission_findings(path, document)
        if isinstance(document, dict):
            workflows.append(workflow_rules.Workflow(path, text, document))
    return findings + workflow_rules.findings(workflows, limits or stack_limits())


def _run(tool: str, argv: list[str]) -> tuple[int, str]:
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    return proc.returncode, (proc.stdout + proc.stderr).strip()


def tool_findings(files: list[Path]) -> tuple[list[str], list[str]]:
    """(failures, notes): each external validator's verdict on `files`."""
    failures: list[str] = []
    notes: list[str] = []
    names = [str(f) for f in files]
    schema = _bin("check-jsonschema")
    if schema is None:
        failures.append("check-jsonschema: not installed (pip install -e '.[dev]')")
    else:
        code, out = _run("check-jsonschema", [schema, "--builtin-schema", "vendor.github-workflows", *names])
        if code != 0:
            failures.append(f"check-jsonschema (GitHub workflow schema):\n{out}")
    zizmor = _bin("zizmor")
    if zizmor is None:
        failures.append("zizmor: not installed (pip install -e '.[dev]')")
    else:
        # --offline: no GitHub API calls (CI here has no network but the package registries).
        argv = [zizmor, "--offline", "--no-progress", "--config", str(ZIZMOR_CONFIG), *names]
        code, out = _run("zizmor", argv)
        if code != 0:
            failures.append(f"zizmor --offline:\n{out}")
    actionlint = _bin("actionlint")
    if actionlint is None:
        notes.append("actionlint: not installed here (its wheel downloads from GitHub); skipped")
    else:
        code, out = _run("actionlint", [actionlint, "-no-color", *names])
        if code != 0:
            failures.append(f"actionlint:\n{out}")
    return failures, notes


def lint(paths: Iterable[Path]) -> tuple[list[str], list[str]]:
    files = workflow_files(paths)
    if not files:
        return ["no workflow files found"], []
    failures, notes = tool_findings(files)
    return project_findings(files) + failures, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.ops.workflow_lint", description=__doc__.split("\n")[0]
    )
    parser.add_argument("paths", nargs="*", type=Path, default=[WORKFLOWS])
    args = parser.parse_args(argv)
    failures, notes = lint(args.paths)
    for note in notes:
        print(f"workflow-lint: {note}")
    for failure in failures:
        print(failure)
    if failures:
        print(f"workflow-lint: {len(failures)} problem(s): FAILED", file=sys.stderr)
        return 1
    print(f"workflow-lint: {len(workflow_files(args.paths))} workflows clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
