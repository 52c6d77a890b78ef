"""In CI (env `CI` set), a server-backed test that skips fails instead.

A server-backed test (marked `server`, or `integration`) skips when its server binary or service is
missing, which is right on a developer's machine and wrong in CI: a hundred tests silently skipped
look like a green run. CI installs every server (`scripts/setup.sh`), so there a skip is a broken setup.
Loaded by tests/conftest.py.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest

SERVER_MARKERS = ("server", "integration")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if not (report.skipped and in_ci() and not hasattr(report, "wasxfail")):
        return
    if any(item.get_closest_marker(name) for name in SERVER_MARKERS):
        report.outcome = "failed"
        report.longrepr = (
            f"server-backed test skipped in CI ({_reason(report)}): CI must provide every server "
            "(scripts/setup.sh); unset CI to allow the skip"
        )
