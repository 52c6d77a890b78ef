"""In CI a server-backed test that would skip fails (tests/ci_skips.py); elsewhere it skips, and skips of
other tests are left alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TESTS = """
import pytest

@pytest.mark.server
def test_needs_a_server():
    pytest.skip("no bao binary")

@pytest.mark.integration
@pytest.mark.skipif(True, reason="no PostgreSQL")
def test_integration():
    pass

def test_optional_tool():
    pytest.skip("no actionlint")

@pytest.mark.server
@pytest.mark.xfail(reason="known")
def test_expected_failure():
    raise AssertionError
"""


def _run(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_sample.py").write_text(TESTS)
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"PYTHONPATH": str(REPO)}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.ci_skips", "-c", os.devnull, "--rootdir", str(tmp_path),
         "-p", "no:cacheprovider", "-q", "-rA", str(tmp_path / "test_sample.py")],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("ci", ["true", "1"])
def test_in_ci_a_server_test_that_skips_fails(tmp_path: Path, ci: str) -> None:
    result = _run(tmp_path, ci)
    out = result.stdout
    assert result.returncode == 1, out
    assert "FAILED test_sample.py::test_needs_a_server" in out
    assert "server-backed test skipped in CI (no bao binary)" in out
    # A skipif mark is evaluated in setup: reported as an error there, a failure all the same.
    assert "ERROR test_sample.py::test_integration" in out and "(no PostgreSQL)" in out
    assert "SKIPPED" in out and "no actionlint" in out  # not server-backed: still a skip
    assert "XFAIL test_sample.py::test_expected_failure" in out


@pytest.mark.parametrize("ci", [None, "", "false", "0"])
def test_outside_ci_it_skips(tmp_path: Path, ci: str | None) -> None:
    result = _run(tmp_path, ci)
    assert result.returncode == 0, result.stdout
    assert "3 skipped, 1 xfailed" in result.stdout
