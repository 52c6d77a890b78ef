"""The README's quick start is two commands, and they are what the Makefile and CI actually run."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from infra.harness import REPO_ROOT


def _quick_start_commands() -> list[str]:
    text = (REPO_ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the quick start has a bash block"
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]


def _make_dry_run(target: str) -> list[str]:
    # Run inside `make test` too: a nested make would announce "Entering directory" (MAKELEVEL).
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    out = subprocess.run(
        ["make", "--no-print-directory", "-n", target],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


def test_the_quick_start_is_exactly_two_commands() -> None:
    assert _quick_start_commands() == ["make up", "make test"]


def test_both_commands_set_up_first_then_run_their_job() -> None:
    up, test = _make_dry_run("up"), _make_dry_run("test")
    assert up == ["bash scripts/setup.sh", ".venv/bin/vaultctl local up"]
    assert test[0] == "bash scripts/setup.sh"
    assert test[1:] == [
        ".venv/bin/ruff check .",
        ".venv/bin/ruff format --check .",
        ".venv/bin/mypy",
        ".venv/bin/python -m infra.ops.workflow_lint",
        ".venv/bin/python -m infra.ops.secret_scan",
        ".venv/bin/pytest",
    ]


def test_ci_runs_the_readme_test_command() -> None:
    script = Path(REPO_ROOT, ".ci", "run").read_text()
    commands = [
        line.strip() for line in script.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    assert "make test" in commands
    assert not any("pytest" in line for line in commands)  # no second, drifting copy of the steps
