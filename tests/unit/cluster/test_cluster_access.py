"""The way in, Kubernetes side: an internal load balancer Service for the API whose source ranges are
exactly the configured CIDRs, and NetworkPolicies that admit exactly those CIDRs on 8200 and nothing
else from outside the cluster (checked by evaluating the policies, not by reading one field)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

import pytest

from infra.cluster.layout import SELECTOR
from infra.harness import DeclaredResource, run_program

NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
SERVICE = "kubernetes:core/v1:Service"
STACKS = ["prod", "staging"]


def _selects_vault_pods(policy: Mapping[str, Any]) -> bool:
    wanted = policy["spec"]["podSelector"].get("matchLabels", {})
    return wanted.items() <= SELECTOR.items()


def external_ip_admitted(policies: Iterable[Mapping[str, Any]], ip: str, port: int) -> bool:
    """NetworkPolicy semantics for a client outside the cluster (an IP, no pod or namespace): admitted
    when any ingress rule of any policy selecting the Vault pods lists the port (or no ports) and an
    ipBlock containing the IP and not excepting it. Pod and namespace selectors never match it."""
    address = ipaddress.ip_address(ip)
    for policy in policies:
        if not _selects_vault_pods(policy):
            continue
        for rule in policy["spec"].get("ingress", []):
            ports = rule.get("ports")
            if ports and port not in [p["port"] for p in ports]:
                continue
            peers = rule.get("from")
            if not peers:  # no `from`: every source, the internet included
                return True
            for peer in peers:
                block = peer.get("ipBlock")
                if not block or address not in ipaddress.ip_network(block["cidr"]):
                    continue
                if not any(address in ipaddress.ip_network(e) for e in block.get("except", [])):
                    return True
    return False


def _policies(resources: list[DeclaredResource]) -> list[Mapping[str, Any]]:
    return [dict(r.inputs) for r in resources if r.type == NP]


def _edges(cidr: str) -> list[str]:
    net = ipaddress.ip_network(cidr)
    return [str(net.network_address), str(net.broadcast_address)]


def _outside(cidr: str) -> list[str]:
    net = ipaddress.ip_network(cidr)
    return [str(net.network_address - 1), str(net.broadcast_address + 1)]


@pytest.mark.parametrize("stack", STACKS)
def test_each_allowed_cidr_reaches_8200_and_nothing_else_does(program, config, stack):
    cidrs = config(stack).cluster.api_access.allowed_cidrs
    policies = _policies(program(stack))
    for cidr in cidrs:
        for ip in _edges(cidr):
            assert external_ip_admitted(policies, ip, 8200), (cidr, ip)
            assert not external_ip_admitted(policies, ip, 8201), (cidr, ip)  # Raft: peers only
    samples = [ip for cidr in cidrs for ip in _outside(cidr)]
    samples += ["8.8.8.8", "172.16.0.2", "10.10.0.9", "192.168.1.1", "10.20.3.4"]
    for ip in samples:
        if any(ipaddress.ip_address(ip) in ipaddress.ip_network(c) for c in cidrs):
            continue
        assert not external_ip_admitted(policies, ip, 8200), ip


def test_the_evaluator_sees_an_open_rule():
    # The check can fail: a rule with no `from` admits the internet.
    open_policy = {
        "spec": {"podSelector": {"matchLabels": dict(SELECTOR)}, "ingress": [{"ports": [{"port": 8200}]}]}
    }
    assert external_ip_admitted([open_policy], "8.8.8.8", 8200)
    assert not external_ip_admitted([open_policy], "8.8.8.8", 8201)


def test_policy_follows_the_configured_cidrs():
    resources = run_program("staging", {"cluster": {"api_access": {"allowed_cidrs": ["10.250.1.0/28"]}}})
    policies = _policies(resources)
    assert external_ip_admitted(policies, "10.250.1.15", 8200)
    assert not external_ip_admitted(policies, "10.250.1.16", 8200)
    assert not external_ip_admitted(policies, "10.200.0.1", 8200)  # the stack file's range is gone


@pytest.mark.parametrize("stack", STACKS)
def test_internal_load_balancer_service(program, config, stack):
    access = config(stack).cluster.api_access
    [lb] = [r for r in program(stack) if r.type == SERVICE and r.inputs["spec"]["type"] == "LoadBalancer"]
    meta, spec = lb.inputs["metadata"], lb.inputs["spec"]
    assert meta["annotations"]["networking.gke.io/load-balancer-type"] == "Internal"
    assert spec["loadBalancerSourceRanges"] == access.allowed_cidrs
    # Local: no second hop, so the client's address reaches the pod and the ipBlock can match it.
    assert spec["externalTrafficPolicy"] == "Local"
    assert spec["selector"] == SELECTOR
    assert [(p["port"], p["targetPort"]) for p in spec["ports"]] == [(8200, 8200)]  # never the Raft port
    assert "loadBalancerIP" not in spec  # the address is claimed by name (annotation), see the platform test
    global_access = meta["annotations"].get("networking.gke.io/internal-load-balancer-allow-global-access")
    assert global_access == ("true" if access.global_access else None)


def test_only_one_service_leaves_the_cluster(program):
    for stack in STACKS:
        types = [r.inputs["spec"].get("type", "ClusterIP") for r in program(stack) if r.type == SERVICE]
        assert types.count("LoadBalancer") == 1
        assert "NodePort" not in types
