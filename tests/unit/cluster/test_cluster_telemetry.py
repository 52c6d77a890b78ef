"""Telemetry: the scrape object chosen by config, verified TLS, and the alert rules object from the file."""

from __future__ import annotations

import pytest

from infra.cluster.telemetry import rule_groups
from infra.harness import run_program

PODMONITORING = "kubernetes:monitoring.googleapis.com/v1:PodMonitoring"


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_podmonitoring_scrapes_metrics_over_verified_tls(program, one, stack):
    spec = one(program(stack), PODMONITORING).inputs["spec"]
    [endpoint] = [e for e in spec["endpoints"] if e["port"] == "https"]
    assert endpoint["scheme"] == "https"
    assert endpoint["path"] == "/v1/sys/metrics"
    assert endpoint["params"] == {"format": ["prometheus"]}
    # the CA-only Secret the collector may read (never vault-tls, which holds tls.key)
    assert endpoint["tls"]["ca"]["secret"] == {"name": "vault-ca", "key": "ca.crt"}
    assert "insecureSkipVerify" not in endpoint["tls"]


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_alert_rules_object_carries_the_tested_file(program, one, stack):
    rules = one(program(stack), "kubernetes:monitoring.googleapis.com/v1:Rules").inputs
    assert rules["spec"]["groups"] == rule_groups()
    names = {r["alert"] for g in rule_groups() for r in g["rules"]}
    assert {
        "VaultSealed",
        "VaultNoActiveNode",
        "VaultAutopilotUnhealthy",
        "VaultAuditLogFailure",
        "VaultDeniedRequestSpike",
        "VaultCertificateExpiresSoon",
    } <= names


@pytest.mark.parametrize(
    ("scrape", "expected"),
    [
        (
            "servicemonitor",
            {"monitoring.coreos.com/v1:ServiceMonitor", "monitoring.coreos.com/v1:PrometheusRule"},
        ),
        ("none", set()),
    ],
)
def test_scrape_flavour_follows_config(scrape, expected):
    resources = run_program("staging", {"cluster": {"telemetry": {"scrape": scrape}}})
    kinds = {r.type.removeprefix("kubernetes:") for r in resources if "monitoring." in r.type}
    assert kinds == expected
    for r in resources:
        if r.type.endswith(":ServiceMonitor"):
            [endpoint] = r.inputs["spec"]["endpoints"]
            assert endpoint["tlsConfig"]["ca"]["secret"]["key"] == "ca.crt"
            assert r.inputs["spec"]["selector"]["matchLabels"]["vault-platform/scrape"] == "true"
