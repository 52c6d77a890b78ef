"""The way in, GCP side: a reserved internal address for the API's load balancer, a private Cloud DNS
zone on the stack's VPC whose A record makes `vault.address` resolve to that address, and a control
plane the deploy job can reach (GKE's DNS-based endpoint, authorized by IAM)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
import yaml

from infra.harness import DeclaredResource, unwrap
from tests.unit.gke_fixtures import FAKE_API_ADDRESS, FAKE_DNS_ENDPOINT

ADDRESS = "gcp:compute/address:Address"
ZONE = "gcp:dns/managedZone:ManagedZone"
RECORD = "gcp:dns/recordSet:RecordSet"
LB_SERVICE_ANNOTATION = "networking.gke.io/load-balancer-ip-addresses"
STACKS = ["prod", "staging"]


def resolve(resources: list[DeclaredResource], host: str, network_id: str) -> list[str]:
    """What a client in `network_id` gets for `host`: the A record of the most specific private zone
    bound to that network whose domain contains the host (as Cloud DNS answers). [] when none."""
    zones = [
        r
        for r in resources
        if r.type == ZONE
        and r.inputs.get("visibility") == "private"
        and network_id
        in [n["networkUrl"] for n in r.inputs.get("privateVisibilityConfig", {}).get("networks", [])]
        and f"{host}.".endswith("." + r.inputs["dnsName"])
    ]
    if not zones:
        return []
    zone = max(zones, key=lambda z: len(z.inputs["dnsName"]))
    records = [
        r
        for r in resources
        if r.type == RECORD
        and r.inputs["managedZone"] == zone.inputs["name"]
        and r.inputs["name"] == f"{host}."
        and r.inputs["type"] == "A"
    ]
    assert len(records) <= 1, f"several A records for {host}"
    return list(records[0].inputs["rrdatas"]) if records else []


def _by_urn(resources: list[DeclaredResource]) -> dict[str, DeclaredResource]:
    return {r.urn: r for r in resources}


@pytest.mark.parametrize("stack", STACKS)
def test_vault_address_resolves_to_the_load_balancers_reserved_address(program, one, config, stack):
    resources = program(stack)
    cfg = config(stack)
    host = urlparse(cfg.vault.address).hostname
    network = one(resources, "gcp:compute/network:Network")
    address = one(resources, ADDRESS)
    assert address.inputs["addressType"] == "INTERNAL"
    assert address.inputs["subnetwork"] == one(resources, "gcp:compute/subnetwork:Subnetwork").name + "-id"
    # The answer is the reserved address (the provider's output), not a Kubernetes status field.
    assert resolve(resources, host, f"{network.name}-id") == [FAKE_API_ADDRESS]
    [record] = [r for r in resources if r.type == RECORD]
    assert address.urn in record.property_dependencies["rrdatas"]
    # ... and that address is the one the API's load balancer Service claims, by name.
    [lb] = [
        r
        for r in resources
        if r.type == "kubernetes:core/v1:Service" and r.inputs["spec"].get("type") == "LoadBalancer"
    ]
    assert lb.inputs["metadata"]["annotations"][LB_SERVICE_ANNOTATION] == address.inputs["name"]
    assert address.urn in lb.dependencies  # reserved before GKE looks it up


@pytest.mark.parametrize("stack", STACKS)
def test_the_zone_is_private_to_the_stacks_vpc(program, one, config, stack):
    resources = program(stack)
    zone = one(resources, ZONE).inputs
    assert zone["visibility"] == "private"
    assert zone["dnsName"] == f"{config(stack).cluster.api_access.dns_zone}."
    networks = [n["networkUrl"] for n in zone["privateVisibilityConfig"]["networks"]]
    assert networks == [one(resources, "gcp:compute/network:Network").name + "-id"]
    # a host outside the zone, or a client on another network, resolves to nothing
    network = f"{one(resources, 'gcp:compute/network:Network').name}-id"
    assert resolve(resources, "vault.example.com", network) == []
    assert resolve(resources, urlparse(config(stack).vault.address).hostname, "another-network") == []


def test_resolve_follows_the_record_not_the_name(program):
    # The check can fail: point the record elsewhere and the host no longer resolves to the address.
    resources = program("prod")
    moved = [
        DeclaredResource(**{**r.__dict__, "inputs": {**r.inputs, "rrdatas": ["10.99.0.1"]}})
        if r.type == RECORD
        else r
        for r in resources
    ]
    network = next(r for r in resources if r.type == "gcp:compute/network:Network").name + "-id"
    assert resolve(moved, "vault.prod.acme.internal", network) == ["10.99.0.1"]


@pytest.mark.parametrize("stack", STACKS)
def test_control_plane_is_reached_through_the_dns_endpoint_with_iam(program, one, stack):
    resources = program(stack)
    cluster = one(resources, "gcp:container/cluster:Cluster").inputs
    dns = cluster["controlPlaneEndpointsConfig"]["dnsEndpointConfig"]
    assert dns["allowExternalTraffic"] is True
    # the IP endpoint stays private: the DNS endpoint adds an IAM-checked way in, nothing else
    assert cluster["privateClusterConfig"]["enablePrivateEndpoint"] is True
    provider = one(resources, "pulumi:providers:kubernetes").inputs
    kubeconfig = yaml.safe_load(unwrap(provider["kubeconfig"]))
    [entry] = kubeconfig["clusters"]
    # the DNS endpoint presents a publicly trusted certificate: no cluster CA is pinned for it
    assert entry["cluster"] == {"server": f"https://{FAKE_DNS_ENDPOINT}"}
    assert set(kubeconfig["users"][0]["user"]) == {"exec"}
    # the provider is tied to the cluster, not to the kubeconfig's endpoint: switching endpoints is an
    # update, never a replacement of every Kubernetes object
    c = one(resources, "gcp:container/cluster:Cluster").inputs
    assert (
        provider["clusterIdentifier"]
        == f"projects/{c['project']}/locations/{c['location']}/clusters/{c['name']}"
    )


@pytest.mark.parametrize("stack", STACKS)
def test_dns_api_is_enabled_before_the_zone(program, one, stack):
    resources = program(stack)
    apis = {r.inputs["service"]: r for r in resources if r.type == "gcp:projects/service:Service"}
    assert "dns.googleapis.com" in apis
    assert apis["dns.googleapis.com"].urn in one(resources, ZONE).dependencies


def test_plan_lists_the_way_in(capsys):
    from infra.cli import main

    assert main(["plan", "--stack", "prod"]) == 0
    out = capsys.readouterr().out
    for type_token in (ADDRESS, ZONE, RECORD):
        assert f"+ {type_token}" in out
    for cidr in ("10.200.0.0/24", "10.210.0.0/24"):
        assert out.count(cidr) >= 2, cidr  # the load balancer's source ranges and the NetworkPolicy
    assert "vault.prod.acme.internal." in out
