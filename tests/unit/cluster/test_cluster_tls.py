"""TLS as code: SANs for every pod and service, keys only as Pulumi secrets."""

from __future__ import annotations

import json

import pytest

from infra.cluster.layout import pod_host, pod_names
from infra.cluster.tls import node_dns_names
from infra.harness import is_secret, mask, unwrap


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_certificate_sans_cover_pods_services_external_name_and_loopback(program, one, config, stack):
    cfg = config(stack)
    csr = one(program(stack), "tls:index/certRequest:CertRequest").inputs
    dns = set(csr["dnsNames"])
    for pod in pod_names(cfg):
        assert pod_host(cfg, pod) in dns
    for service in ("vault", "vault-active", "vault-standby", "vault-internal"):
        assert f"{service}.{cfg.cluster.namespace}.svc" in dns
    assert f"vault.{stack}.acme.internal" in dns  # the host of vault.address
    assert csr["ipAddresses"] == ["127.0.0.1"]
    assert len(node_dns_names(cfg)) == len(set(node_dns_names(cfg)))


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_ca_and_node_certificate_uses(program, one, stack):
    resources = program(stack)
    ca = one(resources, "tls:index/selfSignedCert:SelfSignedCert").inputs
    assert ca["isCaCertificate"] is True
    node = one(resources, "tls:index/locallySignedCert:LocallySignedCert").inputs
    assert "server_auth" in node["allowedUses"] and "cert_signing" not in node["allowedUses"]
    assert node["validityPeriodHours"] > node["earlyRenewalHours"] > 0


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_private_keys_reach_kubernetes_only_as_secrets(program, one, stack):
    resources = program(stack)
    secret = one(resources, "kubernetes:core/v1:Secret", "tls").inputs
    assert secret["type"] == "kubernetes.io/tls"
    assert is_secret(secret["stringData"])
    assert set(unwrap(secret["stringData"])) == {"tls.crt", "tls.key", "ca.crt"}
    assert "FAKE-KEY" in unwrap(secret["stringData"])["tls.key"]
    # once secrets are masked, the key material appears nowhere in what the program declares
    for r in resources:
        assert "FAKE-KEY" not in json.dumps(mask(dict(r.inputs))), r.name


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_node_certificate_verifies_through_a_port_forward(stack: str) -> None:
    """`vaultctl init` reaches an uninitialized cluster only through `kubectl port-forward
    pod/vault-0 8200:8200` (no pod is ready, so the load balancer has no backend: docs/bootstrap.md step
    3). The client then verifies https://localhost:8200 (or 127.0.0.1) against the node certificate."""
    from infra.harness import run_program
    from tests.conftest import of_type

    csrs = of_type(run_program(stack), "tls:index/certRequest:CertRequest")
    (csr,) = [c for c in csrs if c.name == "node-csr"]  # the server's (the injector has its own)
    assert "localhost" in csr.inputs["dnsNames"]
    assert "127.0.0.1" in csr.inputs["ipAddresses"]
