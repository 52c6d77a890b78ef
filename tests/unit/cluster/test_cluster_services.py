"""Services: headless for peers (unready pods too), client, active (leader) and standby; the internal
load balancer `vault-api` is checked in test_cluster_access.py."""

from __future__ import annotations

import pytest

from infra.cluster.layout import SELECTOR


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_services(program, stack):
    services = {
        r.inputs["metadata"]["name"]: r.inputs["spec"]
        for r in program(stack)
        if r.type == "kubernetes:core/v1:Service"
        and r.inputs["metadata"]["name"] not in ("vault-api", "vault-agent-injector-svc")
    }
    assert set(services) == {"vault-internal", "vault", "vault-active", "vault-standby"}
    assert services["vault-internal"]["clusterIP"] == "None"
    assert services["vault-internal"]["publishNotReadyAddresses"] is True
    assert services["vault-active"]["selector"] == {**SELECTOR, "vault-active": "true"}
    assert services["vault-standby"]["selector"] == {**SELECTOR, "vault-active": "false"}
    assert services["vault"]["selector"] == SELECTOR
    for spec in services.values():
        assert {p["port"] for p in spec["ports"]} == {8200, 8201}
        assert spec["type"] == "ClusterIP"  # nothing exposed outside the cluster by a Service
