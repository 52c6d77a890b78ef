"""Observability that works on GKE: the Managed Prometheus collector reads a CA-only Secret through a
Role limited by resourceNames (never `vault-tls`, which holds the private key), certificate expiry
comes from a declared TLS probe of what each pod serves, and audit goes to stdout only."""

from __future__ import annotations

import ipaddress

import pytest
import yaml

from infra.cluster.ci_access import SECRET_READER
from infra.cluster.telemetry import rule_groups
from infra.harness import run_program, unwrap
from tests.unit.cluster.test_cluster_access import external_ip_admitted

SECRET = "kubernetes:core/v1:Secret"  # pragma: allowlist secret (a type token)
ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role"
BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"
PODMONITORING = "kubernetes:monitoring.googleapis.com/v1:PodMonitoring"
STS = "kubernetes:apps/v1:StatefulSet"
STACKS = ["prod", "staging"]


def _by_name(resources, type_token):
    return {r.inputs["metadata"]["name"]: r for r in resources if r.type == type_token}


@pytest.mark.parametrize("stack", STACKS)
def test_collector_reads_a_ca_only_secret_through_a_role_limited_by_name(program, stack):
    resources = program(stack)
    secrets = _by_name(resources, SECRET)
    ca = unwrap(secrets["vault-ca"].inputs["stringData"])
    assert set(ca) == {"ca.crt"}
    assert ca["ca.crt"] == unwrap(secrets["vault-tls"].inputs["stringData"])["ca.crt"]
    [endpoint, *_] = _by_name(resources, PODMONITORING)["vault"].inputs["spec"]["endpoints"]
    assert endpoint["tls"]["ca"]["secret"] == {"name": "vault-ca", "key": "ca.crt"}
    role = _by_name(resources, ROLE)["vault-ca-reader"].inputs
    assert role["rules"] == [
        {
            "apiGroups": [""],
            "resources": ["secrets"],
            "verbs": ["get", "list", "watch"],
            "resourceNames": ["vault-ca"],
        }
    ]
    binding = _by_name(resources, BINDING)["vault-ca-reader"].inputs
    assert binding["roleRef"]["name"] == "vault-ca-reader"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "collector", "namespace": "gmp-system"}]


@pytest.mark.parametrize("stack", STACKS)
def test_no_role_reads_secrets_by_kind(program, stack):
    # A secrets rule without resourceNames would hand out `vault-tls` (tls.key) with everything else.
    # The one exception, ci-previewer's refresh (infra/cluster/ci_access.py): `get` on exactly the
    # Secrets the program declares, bound to that identity only (tests/unit/platform/test_ci_permissions.py).
    for role in _by_name(program(stack), ROLE).values():
        name = role.inputs["metadata"]["name"]
        for rule in role.inputs["rules"]:
            if "secrets" not in rule["resources"]:
                continue
            if name == SECRET_READER:
                assert rule["verbs"] == ["get"] and "*" not in rule["resourceNames"], name
                continue
            assert rule.get("resourceNames") == ["vault-ca"], name


@pytest.mark.parametrize("stack", STACKS)
def test_each_pod_probes_the_certificate_it_serves(program, config, stack):
    resources = program(stack)
    pod = _by_name(resources, STS)["vault"].inputs["spec"]["template"]["spec"]
    probe = {c["name"]: c for c in pod["containers"]}["tls-probe"]
    assert probe["image"] == config(stack).cluster.telemetry.tls_probe_image
    assert probe["securityContext"]["readOnlyRootFilesystem"] is True
    assert probe["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    [port] = probe["ports"]
    endpoints = {
        e["port"]: e for e in _by_name(resources, PODMONITORING)["vault"].inputs["spec"]["endpoints"]
    }
    scrape = endpoints[port["name"]]
    assert scrape["path"] == "/probe"
    # the pod's own listener over loopback: a pod still serving a replaced certificate shows up
    assert scrape["params"] == {"module": ["vault_tls"], "target": ["127.0.0.1:8200"]}
    config_map = _by_name(resources, "kubernetes:core/v1:ConfigMap")["vault-tls-probe"].inputs
    module = yaml.safe_load(config_map["data"]["blackbox.yml"])["modules"]["vault_tls"]
    assert module["prober"] == "tcp" and module["tcp"]["tls"] is True
    tls = module["tcp"]["tls_config"]
    assert tls["ca_file"].endswith("/ca.crt") and not tls.get("insecure_skip_verify")
    mounts = {m["name"] for m in probe["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert {volumes[m].get("secret", {}).get("secretName") for m in mounts} - {None} == {"vault-ca"}


@pytest.mark.parametrize("stack", STACKS)
def test_the_probe_port_is_open_to_the_collector_namespace_only(program, stack):
    policies = [
        dict(r.inputs) for r in program(stack) if r.type == "kubernetes:networking.k8s.io/v1:NetworkPolicy"
    ]
    rules = [rule for p in policies for rule in p["spec"]["ingress"]]
    probe_rules = [r for r in rules if [p["port"] for p in r["ports"]] == [9115]]
    assert [r["from"] for r in probe_rules] == [
        [
            {
                "namespaceSelector": {
                    "matchExpressions": [
                        {"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["gmp-system"]}
                    ]
                }
            }
        ]
    ]
    # the exporter probes whatever target it is asked for: no address outside the cluster may ask
    for ip in ("10.200.0.1", "8.8.8.8", str(ipaddress.ip_address("10.210.0.1"))):
        assert not external_ip_admitted(policies, ip, 9115)


def test_alert_rules_use_the_probe(program):
    rules = {r["alert"]: r for g in rule_groups() for r in g["rules"]}
    assert 'probe_ssl_earliest_cert_expiry{job="vault"}' in rules["VaultCertificateExpiresSoon"]["expr"]
    assert "VaultServingMixedCertificates" in rules


def test_without_a_scraper_no_probe_and_no_collector_access():
    resources = run_program("staging", {"cluster": {"telemetry": {"scrape": "servicemonitor"}}})
    pod = _by_name(resources, STS)["vault"].inputs["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["containers"]] == ["vault"]
    assert "vault-ca-reader" not in _by_name(resources, ROLE)
    [prometheus_rule] = [r for r in resources if r.type.endswith(":PrometheusRule")]
    alerts = {r["alert"] for g in prometheus_rule.inputs["spec"]["groups"] for r in g["rules"]}
    # no probe, so no rule that would wait forever for its series
    assert "VaultCertificateExpiresSoon" not in alerts and "VaultSealed" in alerts


@pytest.mark.parametrize("stack", STACKS)
def test_audit_goes_to_stdout_only(program, stack):
    spec = _by_name(program(stack), STS)["vault"].inputs["spec"]
    assert [c["metadata"]["name"] for c in spec["volumeClaimTemplates"]] == ["data"]
    mounts = [m["mountPath"] for c in spec["template"]["spec"]["containers"] for m in c["volumeMounts"]]
    assert "/vault/audit" not in mounts
