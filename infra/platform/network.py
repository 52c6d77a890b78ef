"""VPC, the nodes' subnet (with the pods/services secondary ranges) and Cloud NAT for private nodes."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.config import StackConfig

PODS_RANGE = "pods"
SERVICES_RANGE = "services"


@dataclass(frozen=True)
class Network:
    network: gcp.compute.Network
    subnet: gcp.compute.Subnetwork
    router: gcp.compute.Router
    nat: gcp.compute.RouterNat


def create_network(cfg: StackConfig, opts: pulumi.ResourceOptions) -> Network:
    assert cfg.gcp is not None
    g = cfg.gcp
    # Every name below is fixed: a replacement must delete the old object first or collide with it.
    opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(delete_before_replace=True))
    base = f"vault-{cfg.environment}"
    network = gcp.compute.Network(
        "network",
        project=g.project,
        name=base,
        auto_create_subnetworks=False,
        routing_mode="REGIONAL",
        opts=opts,
    )
    subnet = gcp.compute.Subnetwork(
        "subnet",
        project=g.project,
        name=f"{base}-nodes",
        region=g.region,
        network=network.id,
        ip_cidr_range=g.subnet_cidr,
        secondary_ip_ranges=[
            gcp.compute.SubnetworkSecondaryIpRangeArgs(range_name=PODS_RANGE, ip_cidr_range=g.pods_cidr),
            gcp.compute.SubnetworkSecondaryIpRangeArgs(
                range_name=SERVICES_RANGE, ip_cidr_range=g.services_cidr
            ),
        ],
        # Nodes have no public IPs: Google APIs (KMS, GCS) are reached privately.
        private_ip_google_access=True,
        log_config=gcp.compute.SubnetworkLogConfigArgs(
            aggregation_interval="INTERVAL_5_MIN", flow_sampling=0.5, metadata="INCLUDE_ALL_METADATA"
        ),
        opts=opts,
    )
    router = gcp.compute.Router(
        "router", project=g.project, name=f"{base}-router", region=g.region, network=network.id, opts=opts
    )
    # Egress only (image pulls from Docker Hub); nothing can reach the private nodes through it.
    nat = gcp.compute.RouterNat(
        "nat",
        project=g.project,
        name=f"{base}-nat",
        region=g.region,
        router=router.name,
        nat_ip_allocate_option="AUTO_ONLY",
        source_subnetwork_ip_ranges_to_nat="LIST_OF_SUBNETWORKS",
        subnetworks=[
            gcp.compute.RouterNatSubnetworkArgs(name=subnet.id, source_ip_ranges_to_nats=["ALL_IP_RANGES"])
        ],
        log_config=gcp.compute.RouterNatLogConfigArgs(enable=True, filter="ERRORS_ONLY"),
        opts=opts,
    )
    return Network(network, subnet, router, nat)
