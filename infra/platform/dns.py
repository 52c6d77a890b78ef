"""The private Cloud DNS zone on the stack's VPC and the A record that makes `vault.address` resolve to
the API's internal load balancer address.

Private visibility: only clients whose DNS queries Cloud DNS answers for this VPC (VMs and pods in it,
peered networks through DNS peering, on-premises resolvers through an inbound server policy) see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

import pulumi
import pulumi_gcp as gcp

from infra.config import StackConfig
from infra.platform.network import Network

RECORD_TTL = 300


@dataclass(frozen=True)
class PrivateDns:
    zone: gcp.dns.ManagedZone
    api_record: gcp.dns.RecordSet


def api_host(cfg: StackConfig) -> str:
    host = urlparse(cfg.vault.address).hostname
    assert host, "validated by the config model"
    return host


def create_private_dns(
    cfg: StackConfig, network: Network, address: gcp.compute.Address, opts: pulumi.ResourceOptions
) -> PrivateDns:
    assert cfg.gcp is not None and cfg.cluster.api_access is not None
    project, domain = cfg.gcp.project, cfg.cluster.api_access.dns_zone
    fixed = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(delete_before_replace=True))
    zone = gcp.dns.ManagedZone(
        "private-zone",
        project=project,
        name=f"vault-{cfg.environment}-private",
        dns_name=f"{domain}.",
        description=f"Private names of the vault-{cfg.environment} stack (vault.address)",
        visibility="private",
        private_visibility_config=gcp.dns.ManagedZonePrivateVisibilityConfigArgs(
            networks=[gcp.dns.ManagedZonePrivateVisibilityConfigNetworkArgs(network_url=network.network.id)]
        ),
        labels={"environment": cfg.environment},
        opts=fixed,
    )
    record = gcp.dns.RecordSet(
        "api-record",
        project=project,
        managed_zone=zone.name,
        name=f"{api_host(cfg)}.",
        type="A",
        ttl=RECORD_TTL,
        # The reserved address itself, known once it exists: no dependence on the Service's status.
        rrdatas=[address.address],
        opts=fixed,
    )
    return PrivateDns(zone, record)
