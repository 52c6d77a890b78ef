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
working tree's), 2 when REF cannot be read or its program does not run. With `--format markdown|json`
a failure still writes a short document naming the error (stdout), so a PR comment says why.

CI (.github/workflows/preview.yml, job `offline-plan`: every PR, forks included; checkout with
`fetch-depth: 0` so the base branch is there):

    .venv/bin/vaultctl plan --stack "$STACK" --against origin/main --format markdown > "$STACK.md"

(`--against HEAD^1` on GitHub's merge-commit checkout, with `fetch-depth: 2`, diffs exactly what the
merge would change.) The markdown is written whatever the exit status (post it, then fail the job).
It holds only data: the PR's names and values appear inside code spans, code blocks and sanitized
diagram labels, and it stays under GitHub's 65,536-character comment limit. The PR's own code runs
here (it is the program): run it with no secrets and no write token, and post the file from a
separate workflow that only reads it (preview-comment.yml).
"""

from __future__ import annotations

import dataclasses
import json
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
from infra.stacks import unset_values

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


class _Failed(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _against(stack: str, ref_name: str, repo: Path, key: bytes) -> tuple[list[DeclaredResource], Against]:
    """The working tree's resources and REF's run; both programs run at the same time."""
    try:
        ref = resolve(repo, ref_name)
    except TreeError as error:
        raise _Failed(2, f"--against {ref_name}: {error}") from None
    with workspace() as tmp:
        tree = Path(tmp) / "tree"
        tree.mkdir()
        try:
            extract(repo, ref.commit, tree)
        except TreeError as error:
            raise _Failed(2, f"--against {ref_name}: {error}") from None
        old_file = other_stack_file(stack_file(stack), repo, tree)
        child = Child(tree, old_file, key, Path(tmp)) if old_file.is_file() else None
        try:
            resources = run_program(stack)
            old = child.result() if child else []
        except ConfigError as error:
            raise _Failed(1, f"stack {stack}: {error}") from None
        except TreeError as error:
            raise _Failed(2, f"--against {ref_name}: cannot run its program: {error}") from None
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
    return resources, Against(ref_name, ref.commit, snapshot, note)


def _failure_document(fmt: str, stack: str, message: str) -> str:
    """What the PR comment shows when there is no plan: the reason (config errors mask secrets)."""
    if fmt == "json":
        return json.dumps({"schema": render_json.SCHEMA, "stack": stack, "error": message}, indent=2) + "\n"
    body = render_markdown.fenced([message])
    return f"### `vaultctl plan` for stack {render_markdown.code(stack)}: no plan\n\n{body}\n"


def plan(
    stack: str,
    out: TextIO,
    err: TextIO,
    *,
    against: str | None = None,
    fmt: str = "text",
    repo: Path = REPO_ROOT,
) -> int:
    """Print the listing (or, with `against`, the diff) in `fmt`; return the exit status."""
    # Secret digests are keyed per invocation: comparable between the two runs, useless afterwards.
    key = secrets.token_bytes(32)
    other = None
    try:
        if against is None:
            try:
                resources = run_program(stack)
            except ConfigError as error:
                raise _Failed(1, f"stack {stack}: {error}") from None
        else:
            resources, other = _against(stack, against, repo, key)
    except _Failed as failure:
        print(f"vaultctl plan: {failure}", file=err)
        if fmt != "text":  # a PR comment or a machine says why there is no plan
            print(_failure_document(fmt, stack_name(stack), str(failure)), end="", file=out)
        return failure.status
    findings = scrubbed(findings_for(resources), resources)
    report = build(
        stack_name(stack),
        Snapshot.from_records(records(resources, key)),
        findings,
        other,
        unset_values(stack_file(stack)),
    )
    print(FORMATS[fmt](report), end="", file=out)
    return 1 if report.findings.violations else 0


__all__ = ["FORMATS", "findings_for", "format_resource", "plan", "scrubbed"]
