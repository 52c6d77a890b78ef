"""Snapshot alerts read what GKE observes: log-based metrics counting the job's own status lines. The
rules pass promtool; the deployed alert policies carry exactly those rules; the metrics' filters match
the lines the declared job prints (and the local run of that job printed, test_snapshot_cronjob.py)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from infra.harness import unwrap
from infra.platform import alerting

PROMTOOL = shutil.which("promtool")
TESTS = Path(__file__).with_name("alerts") / "snapshot.test.yaml"
_no_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool missing (Debian package `prometheus`)")


def needs_promtool(test: Callable[..., None]) -> Callable[..., None]:
    return pytest.mark.server(_no_promtool(test))


@needs_promtool
def test_rules_are_valid_and_their_tests_pass():
    check = subprocess.run(
        [PROMTOOL, "check", "rules", str(alerting.RULES_FILE)], capture_output=True, text=True, timeout=60
    )
    assert check.returncode == 0, check.stdout + check.stderr
    run = subprocess.run(
        [PROMTOOL, "test", "rules", TESTS.name], cwd=TESTS.parent, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0 and "SUCCESS" in run.stdout + run.stderr, run.stdout + run.stderr


@needs_promtool
@pytest.mark.parametrize(
    ("broken", "why"),
    [
        ("or vector(0)) < 1", "a job that never uploaded would never alert"),
        ("[13h]", "a window shorter than one schedule period alerts between healthy runs"),
    ],
)
def test_rule_tests_catch_a_broken_rule(tmp_path, broken, why):
    replacement = {"or vector(0)) < 1": ") < 1", "[13h]": "[5h]"}[broken]
    rules = tmp_path / "rules.yaml"
    rules.write_text(alerting.RULES_FILE.read_text().replace(broken, replacement))
    tests = tmp_path / "tests.yaml"
    tests.write_text(
        TESTS.read_text().replace("../../../../infra/cluster/alerts/snapshot.rules.yaml", str(rules))
    )
    run = subprocess.run([PROMTOOL, "test", "rules", str(tests)], capture_output=True, text=True, timeout=120)
    assert run.returncode != 0, why


def test_rules_read_only_the_declared_log_based_metrics():
    names = set(re.findall(r"logging_googleapis_com:user_([a-z_]+)", alerting.RULES_FILE.read_text()))
    assert names == set(alerting.METRICS)
    assert "kube_" not in alerting.RULES_FILE.read_text()  # no kube-state-metrics series on GKE


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_alert_policies_carry_the_tested_rules(program, stack):
    resources = program(stack)
    # The audit-log alarms (infra/alarms) have their own tests: tests/unit/alarms/test_audit_alarms.py.
    policies = {
        r.name: unwrap(r.inputs)
        for r in resources
        if r.type == "gcp:monitoring/alertPolicy:AlertPolicy" and not r.name.startswith("alert-vault-audit-")
    }
    rules = {r["alert"]: r for g in alerting.rule_groups() for r in g["rules"]}
    assert set(policies) == {f"alert-{name}" for name in rules}
    for name, rule in rules.items():
        [condition] = policies[f"alert-{name}"]["conditions"]
        promql = condition["conditionPrometheusQueryLanguage"]
        assert promql["query"] == rule["expr"]
        assert promql["alertRule"] == name
    metrics = {
        unwrap(r.inputs)["name"]: unwrap(r.inputs)
        for r in resources
        if r.type == "gcp:logging/metric:Metric" and not unwrap(r.inputs)["name"].startswith("vault_audit_")
    }
    assert set(metrics) == set(alerting.METRICS)
    cluster = f"vault-{stack}"  # gke.py names the cluster vault-<environment>
    for name, status in alerting.METRICS.items():
        text = metrics[name]["filter"]
        assert f'resource.labels.cluster_name="{cluster}"' in text
        assert f'jsonPayload.snapshot="{status}"' in text
        assert 'labels."k8s-pod/app_kubernetes_io_component"="snapshot"' in text


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_the_job_prints_the_lines_the_metrics_count(program, one, stack):
    # The upload script's success line, rendered as the shell's printf would, parses to the counted payload.
    pod = one(program(stack), "kubernetes:batch/v1:CronJob").inputs["spec"]["jobTemplate"]["spec"][
        "template"
    ]["spec"]
    script = pod["containers"][0]["command"][-1]
    [fmt] = re.findall(r"printf '([^']+)'", script)
    line = fmt.replace("%s", "vault-raft-20260101T000000Z.snap").replace("\\n", "")
    assert json.loads(line)["snapshot"] == alerting.METRICS["vault_snapshot_uploads"]
