"""`vaultctl plan`: an offline preview, or diff, for machines without the Pulumi CLI or cloud access.

    vaultctl plan --stack NAME [--against GIT-REF] [--format text|markdown|json]

Without `--against`: runs the program under the SDK's mocks and lists every declared resource sorted
by URN, with its inputs (secrets masked as `[secret]`, long text summarized), its options (protect,
ignore_changes, delete_before_replace, import id, provider) and dependencies (short names), a count by
type, the effective permissions of every identity, then the policy findings.

With `--against REF`: runs REF's program too (its own tree from git, in a child interpreter: see
`trees`) and prints what changes from REF to the working tree: resources added, removed, updated field
by field, replaced (`infra/replacements.py`), option changes, and for every identity (each auth role:
services' Kubernetes and JWT roles, CI roles, operator roles) the paths and capabilities it gains or
loses (`permissions`). A stack named by NAME runs with each tree's own `Pulumi.NAME.yaml`; a stack file
outside the repository is used by both. No credentials are read; output is byte-identical across runs.

Exit 0 when clean, 1 on a config error of the working tree or an unexempted policy violation (the
working tree's), 2 when REF cannot be read or its program does not run.

CI (the PR comment, forks included; the checkout is GitHub's merge commit, so HEAD^1 is the base
branch and the diff is exactly what merging would change; needs `fetch-depth: 2`):

    .venv/bin/vaultctl plan --stack "$STACK" --against HEAD^1 --format markdown > plan.md

The markdown is written even when the exit status is 1 (post it, then fail the job). It holds only
data: the PR's names and values appear inside code spans, code blocks and sanitized diagram labels,
and it stays under GitHub's 65,536-character comment limit. The PR's own code runs here (it is the
program), so for forks run this in a `pull_request` job with no secrets and no write token, upload
plan.md as an artifact, and post it from a separate `workflow_run` job that only reads that file.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TextIO

from infra.config import ConfigError
from infra.harness import (
    REPO_ROOT,
    SECRET_PLACEHOLDER,
    DeclaredResource,
    is_secret,
    run_program,
    stack_file,
    stack_name,
    unwrap,
)
from infra.plan import render_json, render_markdown, render_text
from infra.plan.emit import records
from infra.plan.model import Snapshot, short_names
from infra.plan.report import Against, Report, build
from infra.plan.trees import Child, TreeError, extract, other_stack_file, resolve, workspace

FORMATS: dict[str, Callable[[Report], str]] = {
    "text": render_text.render,
    "markdown": render_markdown.render,
    "json": render_json.render,
}


def format_resource(resource: DeclaredResource) -> list[str]:
    """One declared resource as `vaultctl plan` lists it (inputs masked)."""
    names = short_names([resource.urn, *resource.dependencies, resource.provider_urn])
    (record,) = records([resource], b"")
    return render_text.resource_lines(Snapshot.from_records([record]).resources[0], names)


def findings_for(resources: Iterable[DeclaredResource]) -> list[Any]:
    from policies.rules import check_resource

    found = []
    for resource in resources:
        if resource.custom:
            found += check_resource(resource.type, resource.name, unwrap(dict(resource.inputs)))
    return found


def _secret_strings(value: Any, inside: bool = False) -> set[str]:
    if is_secret(value):
        return _secret_strings(value["value"], True)
    if isinstance(value, Mapping):
        return {s for v in value.values() for s in _secret_strings(v, inside)}
    if isinstance(value, list):
        return {s for v in value for s in _secret_strings(v, inside)}
    return {value} if inside and isinstance(value, str) and len(value) >= 4 else set()


def scrubbed(findings: list[Any], resources: Iterable[DeclaredResource]) -> list[Any]:
    """Findings with every secret value the program declared replaced by `[secret]`: rules see plain
    values, and a message quoting one (a connection URL with a password) must not print it."""
    secret_values = sorted(
        {s for r in resources for s in _secret_strings(dict(r.inputs))}, key=len, reverse=True
    )

    def clean(text: str) -> str:
        for value in secret_values:
            text = text.replace(value, SECRET_PLACEHOLDER)
        return text

    return [
        dataclasses.replace(f, message=clean(f.message), subject=clean(f.subject), reason=clean(f.reason))
        for f in findings
    ]


def _against(
    stack: str, ref_name: str, repo: Path, key: bytes, err: TextIO
) -> tuple[list[DeclaredResource] | None, Against | None, int]:
    """(working tree's resources, Against) or an exit status; both programs run at the same time."""
    try:
        ref = resolve(repo, ref_name)
    except TreeError as error:
        print(f"vaultctl plan: --against {ref_name}: {error}", file=err)
        return None, None, 2
    with workspace() as tmp:
        tree = Path(tmp) / "tree"
        tree.mkdir()
        try:
            extract(repo, ref.commit, tree)
        except TreeError as error:
            print(f"vaultctl plan: --against {ref_name}: {error}", file=err)
            return None, None, 2
        old_file = other_stack_file(stack_file(stack), repo, tree)
        child = Child(tree, old_file, key, Path(tmp)) if old_file.is_file() else None
        try:
            resources = run_program(stack)
            old = child.result() if child else []
        except ConfigError as error:
            print(f"vaultctl plan: stack {stack}: {error}", file=err)
            return None, None, 1
        except TreeError as error:
            print(f"vaultctl plan: --against {ref_name}: cannot run its program: {error}", file=err)
            return None, None, 2
        finally:
            if child:  # never leave REF's interpreter running past its temp tree
                child.stop()
    snapshot = Snapshot.from_records(old)
    if not child:
        note = f"{old_file.name} does not exist at {ref_name}: every resource is new"
    elif not snapshot.options_recorded:
        note = (
            f"the harness at {ref_name} does not record resource options or dependencies: option changes "
            "are not compared, and its templated policy paths stay symbolic (no entity links)"
        )
    else:
        note = ""
    return resources, Against(ref_name, ref.commit, snapshot, note), 0


def plan(
    stack: str,
    out: TextIO,
    err: TextIO,
    *,
    against: str | None = None,
    fmt: str = "text",
    repo: Path = REPO_ROOT,
) -> int:
    # Secret digests are keyed per invocation: comparable between the two runs, useless afterwards.
    key = secrets.token_bytes(32)
    if against is None:
        try:
            resources = run_program(stack)
        except ConfigError as error:
            print(f"vaultctl plan: stack {stack}: {error}", file=err)
            return 1
        other = None
    else:
        resources, other, status = _against(stack, against, repo, key, err)
        if status or resources is None:
            return status
    findings = scrubbed(findings_for(resources), resources)
    report = build(stack_name(stack), Snapshot.from_records(records(resources, key)), findings, other)
    print(FORMATS[fmt](report), end="", file=out)
    return 1 if report.findings.violations else 0


__all__ = ["FORMATS", "findings_for", "format_resource", "plan", "scrubbed"]
