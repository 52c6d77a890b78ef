"""The alert rules pass `promtool check rules` and their unit tests (`promtool test rules`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from infra.cluster.telemetry import RULES_FILE

PROMTOOL = shutil.which("promtool")
TESTS = Path(__file__).with_name("alerts") / "vault.test.yaml"
pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(PROMTOOL is None, reason="promtool missing (Debian package `prometheus`)"),
]


def test_rules_are_valid():
    result = subprocess.run(
        [PROMTOOL, "check", "rules", str(RULES_FILE)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_rule_unit_tests_pass():
    result = subprocess.run(
        [PROMTOOL, "test", "rules", TESTS.name], cwd=TESTS.parent, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_rule_tests_can_fail(tmp_path):
    # A broken rule (sealed means 1 instead of 0) must make the unit tests fail.
    broken = tmp_path / "rules.yaml"
    broken.write_text(RULES_FILE.read_text().replace("vault_core_unsealed == 0", "vault_core_unsealed == 1"))
    tests = tmp_path / "tests.yaml"
    tests.write_text(
        TESTS.read_text().replace("../../../../infra/cluster/alerts/vault.rules.yaml", str(broken))
    )
    result = subprocess.run(
        [PROMTOOL, "test", "rules", str(tests)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
