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
    assert all(line.count(": ") >= 2 and line.split(": ")[1].startswith("VP-") for line in out.splitlines())


def test_exempted_findings_are_listed_but_not_counted(write) -> None:
    path = write(
        "ok.hcl",
        '# lint:exempt VP-ACL-008 path="kv/data/*" reason="reader of every service\'s config, audited"\n'
        + BROAD,
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


def test_directory_lints_json_policies_too(tmp_path: Path, write) -> None:
    write("a.json", '{"path": {"kv/data/*": {"capabilities": ["read"]}}}')
    code, out, _ = _run(tmp_path)
    assert code == 1 and "a.json: VP-ACL-008" in out


def test_brace_on_the_next_line_is_valid_hcl1(write) -> None:
    assert _run(write("n.hcl", 'path "kv/data/*"\n{\n  capabilities = ["read"]\n}\n'))[0] == 1


def test_app_mount_option_makes_a_mount_one_tenant(write) -> None:
    path = write("app.hcl", 'path "secret-billing/*" { capabilities = ["read"] }')
    assert _run(path)[0] == 1
    assert _run("--app-mount", "secret-*", path) == (0, "", "")


def test_namespace_option_judges_paths_inside_the_namespace(write) -> None:
    path = write("ns.hcl", 'path "team-a/*" { capabilities = ["read"] }')
    assert _run(path)[0] == 1  # read on every secret of mount team-a
    code, out, _ = _run("--namespace", "team-a", path)
    assert code == 1 and "VP-ACL-001" in out  # inside namespace team-a, `*` is every mount


def test_file_stem_is_the_policy_name(write) -> None:
    text = 'path "kv/data/apps/billing/x" { capabilities = ["read"] }'
    assert _run(write("svc-reporting.hcl", text))[0] == 1
    assert _run(write("svc-billing.hcl", text))[0] == 0


def test_advisory_findings_are_listed_as_info_and_not_counted(write) -> None:
    path = write(
        "svc-reporting.hcl",
        '# lint:share from="billing" path="kv/data/apps/billing/x"\n'
        'path "kv/data/apps/billing/x" { capabilities = ["read"] }\n',
    )
    code, out, _ = _run(path)
    assert code == 0 and out.startswith(f"{path}: VP-SHARE-001: info: ")


def test_no_arguments_is_a_usage_error() -> None:
    assert _run()[0] == 2


def test_module_entry_point_runs_from_a_shell(write) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "policies.rules", str(write("broad.hcl", BROAD))],
        capture_output=True, text=True, check=False, cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert result.returncode == 1 and "VP-ACL-008" in result.stdout


def test_help_names_the_command_its_arguments_and_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert lint_cli(["--help"]) == 0
    raw = capsys.readouterr().out
    assert "\nLint Vault ACL policy files (HCL or JSON).\n" in raw
    help_text = " ".join(raw.split())
    for expected in (
        "usage: vaultctl lint-policy",
        "[--app-mount PATTERN] [--namespace NS] PATH [PATH ...]",
        "Lint Vault ACL policy files (HCL or JSON).",
        "PATH policy file, or a directory of policy files",
        "--app-mount PATTERN a mount (glob) that belongs to one application as a whole, e.g. 'secret-*' (repeatable)",
        "--namespace NS a namespace path in use (repeatable)",
    ):
        assert expected in help_text


def test_options_repeat(write) -> None:
    path = write(
        "two.hcl", 'path "a-x/*" { capabilities = ["read"] }\npath "b-x/*" { capabilities = ["read"] }\n'
    )
    assert _run(path)[0] == 1
    assert _run("--app-mount", "a-*", path)[0] == 1
    assert _run("--app-mount", "a-*", "--app-mount", "b-*", path) == (0, "", "")


def test_output_goes_to_the_given_streams_by_default_to_stdout(
    write, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write("broad.hcl", BROAD)
    assert lint_cli([str(path)]) == 1
    assert "VP-ACL-008" in capsys.readouterr().out
    assert lint_cli([str(path.with_name("missing.hcl"))]) == 2
    assert "missing.hcl: parse error: cannot read" in capsys.readouterr().err


def test_unreadable_bytes_are_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "bin.hcl"
    path.write_bytes(b"\xff\xfe")
    code, out, err = _run(path)
    assert (code, out) == (2, "") and err.startswith(f"{path}: parse error: cannot read: ")


def test_violations_and_invalid_input_exit_2_and_clean_plus_exempted_exit_0(write) -> None:
    exempted = write("ok.hcl", '# lint:exempt VP-ACL-008 path="kv/data/*" reason="audit reader"\n' + BROAD)
    assert _run(exempted, write("clean.hcl", CLEAN))[0] == 0
    assert _run(write("bad.hcl", "path {"), write("b.hcl", BROAD))[0] == 2


def test_an_unreadable_file_does_not_stop_the_others(tmp_path: Path, write) -> None:
    code, out, _ = _run(tmp_path / "missing.hcl", write("b.hcl", BROAD))
    assert code == 2 and "VP-ACL-008" in out
