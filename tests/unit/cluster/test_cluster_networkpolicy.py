"""NetworkPolicy `vault`: 8200 only from allowed namespaces (and the snapshot job), 8201 only between Vault
pods, the probe port from the collector only. Clients outside the cluster: test_cluster_access.py."""

from __future__ import annotations

import pytest

from infra.cluster.layout import SELECTOR, SNAPSHOT_SELECTOR
from infra.harness import run_program

NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy"


def _rules(resources, one):
    spec = one(resources, NP, "networkpolicy").inputs["spec"]
    assert spec["podSelector"]["matchLabels"] == SELECTOR
    assert spec["policyTypes"] == ["Ingress"]
    return {rule["ports"][0]["port"]: rule["from"] for rule in spec["ingress"]}


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_cluster_port_only_from_vault_pods(program, one, stack):
    rules = _rules(program(stack), one)
    assert set(rules) == {8200, 8201, 9115}
    assert rules[8201] == [{"podSelector": {"matchLabels": SELECTOR}}]


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_api_port_from_service_namespaces_scraper_and_snapshot_job(program, one, config, stack):
    rules = _rules(program(stack), one)
    peers = rules[8200]
    assert {"podSelector": {"matchLabels": SELECTOR}} in peers
    assert {"podSelector": {"matchLabels": SNAPSHOT_SELECTOR}} in peers
    [ns_rule] = [p for p in peers if "namespaceSelector" in p]
    [expr] = ns_rule["namespaceSelector"]["matchExpressions"]
    assert expr["key"] == "kubernetes.io/metadata.name" and expr["operator"] == "In"
    assert set(expr["values"]) == set(config(stack).service_namespaces()) | {"gmp-system"}
    assert "podSelector" not in ns_rule  # whole namespaces, listed by name: no wildcard selector


def test_client_namespaces_are_added(one):
    resources = run_program(
        "staging", {"cluster": {"client_namespaces": ["monitoring"], "telemetry": {"scrape": "none"}}}
    )
    [ns_rule] = [p for p in _rules(resources, one)[8200] if "namespaceSelector" in p]
    values = ns_rule["namespaceSelector"]["matchExpressions"][0]["values"]
    assert "monitoring" in values and "gmp-system" not in values
