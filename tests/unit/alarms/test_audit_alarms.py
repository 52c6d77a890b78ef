"""The audit alarms as declared: filters within what the audit log writes in clear, conditions that
promtool accepts and that fire when (and only when) they should, and the GCP resources wiring them to
the configured notification channels."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.alarms.filters import CONTAINER, alarms, office_hours_promql
from infra.alarms.logquery import extractor_field, fields, parse
from infra.config import parse_stack_config
from infra.harness import is_secret, read_stack_config
from tests.conftest import of_type

PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool missing (Debian package `prometheus`)")
# What the audit device writes in clear (tests/integration/test_alarm_filters.py shows each on real
# entries); tokens, accessors and request/response data are HMAC'd, so a filter on them would never match.
CLEAR = {
    "jsonPayload.type",
    "jsonPayload.error",
    "jsonPayload.request.path",
    "jsonPayload.request.operation",
    "jsonPayload.request.remote_address",
    "jsonPayload.request.mount_point",
    "jsonPayload.request.data.role",  # HMAC'd unless the auth mount lists it (kubernetes does)
    "jsonPayload.response.data.error",  # used for its presence only: the value is HMAC'd
    "jsonPayload.auth.policies",
    "jsonPayload.auth.display_name",
    "jsonPayload.auth.metadata.service_account_namespace",
}
RESOURCE = {
    "resource.type",
    "resource.labels.cluster_name",
    "resource.labels.namespace_name",
    "resource.labels.container_name",
}
LOG_METRIC = "gcp:logging/metric:Metric"
POLICY = "gcp:monitoring/alertPolicy:AlertPolicy"
CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel"


def cfg(stack: str = "prod", **overrides: Any) -> Any:
    return parse_stack_config(read_stack_config(stack, overrides))


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_filters_parse_and_name_only_clear_fields(stack: str) -> None:
    for alarm in alarms(cfg(stack)):
        parse(alarm.filter)
        named = fields(alarm.filter) | {extractor_field(e) for e in alarm.labels.values()}
        assert named - CLEAR - RESOURCE == set(), alarm.name
        assert len(alarm.filter) < 20_000, alarm.name  # Cloud Logging's limit on a query
        assert alarm.promql_metric in alarm.condition, alarm.name


def test_every_filter_starts_from_this_clusters_vault_response_entries() -> None:
    prod = cfg()
    for alarm in alarms(prod):
        assert alarm.filter.startswith(
            'resource.type="k8s_container" AND resource.labels.cluster_name="vault-prod" AND '
            'resource.labels.namespace_name="vault" AND resource.labels.container_name="vault" AND '
            'jsonPayload.type="response"'
        ), alarm.name


def test_container_name_is_the_statefulsets_server_container(declared) -> None:
    statefulset = of_type(declared("prod"), "kubernetes:apps/v1:StatefulSet")[0].inputs
    containers = [c["name"] for c in statefulset["spec"]["template"]["spec"]["containers"]]
    assert containers[0] == CONTAINER


def test_unexpected_reader_filter_names_each_key_with_its_own_service() -> None:
    prod = cfg()
    text = next(a.filter for a in alarms(prod) if a.name.endswith("ai_key_unexpected_reads"))
    for service, key in prod.provider_keys():
        pair = f'(jsonPayload.request.path="kv/data/ai/providers/{key.provider}/{service.name}" AND jsonPayload.auth.policies="svc-{service.name}")'
        assert pair in text
    assert 'jsonPayload.auth.policies="ai-keys-rotator"' in text


def test_config_writes_cover_policy_auth_and_audit_paths_but_not_the_deployer() -> None:
    text = next(a.filter for a in alarms(cfg()) if a.name.endswith("config_writes"))
    assert (
        "sys/policies/" in text
        and "sys/auth/" in text
        and "sys/audit/" in text
        and "auth/[^/]+/config$" in text
    )
    assert 'NOT jsonPayload.auth.policies="deployer"' in text


def test_office_hours_condition_from_config() -> None:
    assert (
        office_hours_promql(cfg()) == "hour() < 7 or hour() >= 19 or day_of_week() == 0 or day_of_week() == 6"
    )
    every_day = cfg(alarms={"weekdays_only": False, "office_hours_start": 0, "office_hours_end": 24})
    assert office_hours_promql(every_day) == "hour() < 0"  # never true: no off-hours at all


# ----------------------------------------------------------------------------- promtool


def _rules(prod: Any) -> dict[str, Any]:
    return {
        "groups": [
            {
                "name": "audit",
                "rules": [
                    {"alert": a.name, "expr": a.condition, "labels": {"severity": a.severity}}
                    for a in alarms(prod)
                ],
            }
        ]
    }


@needs_promtool
def test_conditions_pass_promtool_check(tmp_path: Path) -> None:
    rules = tmp_path / "audit.rules.yaml"
    rules.write_text(yaml.safe_dump(_rules(cfg())))
    proc = subprocess.run(
        [PROMTOOL, "check", "rules", str(rules)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@needs_promtool
def test_conditions_fire_on_their_thresholds_and_office_hours(tmp_path: Path) -> None:
    """Time 0 of promtool is Thursday 1970-01-01 00:00 UTC."""
    prod = cfg()
    rules = tmp_path / "audit.rules.yaml"
    rules.write_text(yaml.safe_dump(_rules(prod)))
    off = "logging_googleapis_com:user_vault_audit_ai_key_reads_off_hours"
    fails = "logging_googleapis_com:user_vault_audit_auth_failures"
    reads = {"path": "kv/data/ai/providers/openai/ai-gateway", "who": "token-bob"}
    login = {"mount": "kubernetes", "role": "ai-gateway", "source": "10.0.0.9"}

    def labels(values: dict[str, str]) -> str:
        return "{" + ",".join(f'{k}="{v}"' for k, v in values.items()) + "}"

    def alert(name: str, at: str, fired: dict[str, str] | None) -> dict[str, Any]:
        expected = [{"exp_labels": {**fired, "severity": "WARNING"}}] if fired else []
        return {"eval_time": at, "alertname": name, "exp_alerts": expected}

    tests = {
        "rule_files": [str(rules)],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                # One read a minute, all along (a counter of reads by people and CI).
                "input_series": [{"series": off + labels(reads), "values": "0+1x4000"}],
                "alert_rule_test": [
                    alert("vault_audit_ai_key_reads_off_hours", "3h", reads),  # Thursday 03:00
                    alert("vault_audit_ai_key_reads_off_hours", "12h", None),  # Thursday 12:00
                    alert("vault_audit_ai_key_reads_off_hours", "19h", reads),  # Thursday 19:00
                    alert("vault_audit_ai_key_reads_off_hours", "60h", reads),  # Saturday 12:00
                ],
            },
            {
                "interval": "1m",
                # 4 failures in the first 5 minutes, then 2 a minute.
                "input_series": [{"series": fails + labels(login), "values": "0 1 2 3 4 4 6 8 10 12 14"}],
                "alert_rule_test": [
                    alert("vault_audit_auth_failures", "5m", None),
                    alert("vault_audit_auth_failures", "10m", login),
                ],
            },
        ],
    }
    test_file = tmp_path / "audit.test.yaml"
    test_file.write_text(yaml.safe_dump(tests))
    proc = subprocess.run(
        [PROMTOOL, "test", "rules", str(test_file)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ----------------------------------------------------------------------------- GCP resources


def test_prod_declares_a_metric_and_a_policy_per_alarm_routed_to_channels(declared) -> None:
    resources = declared("prod")
    prod = cfg()
    metrics = {
        r.inputs["name"]: r.inputs
        for r in of_type(resources, LOG_METRIC)
        if r.inputs["name"].startswith("vault_audit_")
    }
    assert set(metrics) == {a.name for a in alarms(prod)}
    for alarm in alarms(prod):
        metric = metrics[alarm.name]
        assert metric["filter"] == alarm.filter
        assert metric["labelExtractors"] == alarm.labels
        assert {label["key"] for label in metric["metricDescriptor"]["labels"]} == set(alarm.labels)
    channels = {r.inputs["displayName"].split(" ")[0]: r for r in of_type(resources, CHANNEL)}
    assert set(channels) == {c.name for c in prod.alarms.notification_channels}
    pager = channels["security-oncall"]
    assert is_secret(pager.inputs["sensitiveLabels"]) or is_secret(
        pager.inputs["sensitiveLabels"]["serviceKey"]
    )
    assert "serviceKey" not in str(pager.inputs.get("labels", {}))
    policies = {
        r.inputs["displayName"]: r
        for r in of_type(resources, POLICY)
        if r.name.startswith("alert-vault-audit-")
    }
    assert len(policies) == len(alarms(prod))
    for alarm in alarms(prod):
        policy = policies[f"{alarm.title} (prod)"]
        query = policy.inputs["conditions"][0]["conditionPrometheusQueryLanguage"]["query"]
        assert query == alarm.condition
        routed = set(policy.inputs["notificationChannels"])
        # PagerDuty (alerts: critical) only pages for the critical ones; email gets everything.
        assert ("alarm-channel-security-oncall-id" in routed) is (alarm.severity == "CRITICAL"), alarm.name
        assert "alarm-channel-platform-team-id" in routed
        assert any(metric_urn.endswith(alarm.name.replace("_", "-")) for metric_urn in policy.dependencies)


def test_alarms_wait_for_the_logging_and_monitoring_apis_and_keep_fixed_names(declared) -> None:
    resources = declared("prod")
    apis = {
        r.urn
        for r in of_type(resources, "gcp:projects/service:Service")
        if r.inputs["service"] in ("logging.googleapis.com", "monitoring.googleapis.com")
    }
    assert len(apis) == 2
    audit = [
        r
        for r in resources
        if r.type in (LOG_METRIC, POLICY, CHANNEL)
        and (
            "vault_audit" in str(r.inputs.get("name"))
            or r.name.startswith(("alert-vault-audit", "alarm-channel"))
        )
    ]
    assert len(audit) == 2 * len(alarms(cfg())) + len(cfg().alarms.notification_channels)
    for r in audit:
        assert apis <= set(r.dependencies), r.name
        assert r.parent.endswith("GcpPlatform::platform"), r.name
        if r.type == LOG_METRIC:
            assert r.delete_before_replace, r.name  # a fixed name: replace by deleting first


def test_local_stack_has_no_gcp_alarms(declared) -> None:
    assert not [r for r in declared("local") if r.type.startswith(("gcp:logging", "gcp:monitoring"))]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"alarms": {"notification_channels": []}},
            "alarms.notification_channels: the prod stack needs at least one",
        ),
        (
            {"alarms": {"notification_channels": [{"name": "x", "type": "pagerduty"}]}},
            "type pagerduty needs service_key",
        ),
        (
            {"alarms": {"notification_channels": [{"name": "x", "type": "email", "email_address": "nope"}]}},
            "type email needs email_address",
        ),
        ({"alarms": {"office_hours_start": 20, "office_hours_end": 8}}, "must be before office_hours_end"),
        ({"alarms": {"auth_failures": 0}}, "alarms.auth_failures"),
    ],
)
def test_alarm_config_errors_name_the_key(overrides: dict[str, Any], message: str) -> None:
    from infra.config import ConfigError

    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        cfg("prod", **overrides)
