"""`vaultctl lint-policy PATH...` (lint_cli): output lines and exit codes are a stable interface."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from policies.rules import lint_cli

BROAD = 'path "kv/data/*" {\n  capabilities = ["read"]\n}\n'
CLEAN = 'path "kv/data/app-a/*" {\n  capabilities = ["read"]\n}\n'


def _run(*paths: Path | str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = lint_cli([str(p) for p in paths], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def write(tmp_path: Path):
    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def test_clean_files_exit_0_and_print_nothing(write) -> None:
    assert _run(write("a.hcl", CLEAN)) == (0, "", "")


def test_violation_prints_path_rule_message_and_exits_1(write) -> None:
    path = write("broad.hcl", BROAD)
    code, out, _ = _run(path)
    assert code == 1
    assert out.splitlines() == [
        f'{path}: VP-ACL-008: path "kv/data/*" spans every scope under kv/data/ with read; '
        "name the service's own scope"
    ]


def test_exempted_findings_are_listed_but_not_counted(write) -> None:
    path = write(
        "ok.hcl", "# lint:exempt VP-ACL-008 reason: reader of every service's config, audited\n" + BROAD
    )
    assert _run(path) == (0, f"{path}: VP-ACL-008: exempted: reader of every service's config, audited\n", "")


def test_invalid_policy_exits_2_with_reason_on_stderr(write) -> None:
    bad = write("bad.hcl", 'path "a" { capabilities = ["write"] }')
    code, out, err = _run(bad, write("broad.hcl", BROAD))
    assert code == 2
    assert err.startswith(f"{bad}: parse error: ") and "invalid capability 'write'" in err
    assert "VP-ACL-008" in out  # the valid file is still reported


def test_missing_file_exits_2(tmp_path: Path) -> None:
    code, _, err = _run(tmp_path / "nope.hcl")
    assert code == 2 and "nope.hcl: parse error: cannot read" in err


def test_directory_lints_its_hcl_files(tmp_path: Path, write) -> None:
    write("a.hcl", CLEAN)
    write("b.hcl", BROAD)
    write("notes.txt", "not a policy")
    code, out, _ = _run(tmp_path)
    assert code == 1 and out.count("VP-ACL-008") == 1


def test_no_arguments_is_a_usage_error() -> None:
    assert _run()[0] == 2


def test_module_entry_point_runs_from_a_shell(write) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "policies.rules", str(write("broad.hcl", BROAD))],
        capture_output=True, text=True, check=False, cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert result.returncode == 1 and "VP-ACL-008" in result.stdout
