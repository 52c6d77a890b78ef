"""The internal address the Vault API's load balancer serves on, reserved in the nodes' subnet.

Reserved here (not picked by GKE) so the DNS record points at a Google Cloud resource whose address is
known when it is created, not at a Kubernetes status field filled in later; the Service claims it by
name (`networking.gke.io/load-balancer-ip-addresses`, which GKE's L4 controller prefers over the
deprecated `spec.loadBalancerIP`: kubernetes/ingress-gce, pkg/address `IPv4ToUse`).
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from infra.config import StackConfig
from infra.platform.network import Network


def api_address_name(cfg: StackConfig) -> str:
    return f"vault-{cfg.environment}-api"


def create_api_address(
    cfg: StackConfig, network: Network, opts: pulumi.ResourceOptions
) -> gcp.compute.Address:
    assert cfg.gcp is not None
    return gcp.compute.Address(
        "api-address",
        project=cfg.gcp.project,
        name=api_address_name(cfg),
        region=cfg.gcp.region,
        address_type="INTERNAL",
        subnetwork=network.subnet.id,
        description="Vault API internal load balancer (Service vault-api); vault.address resolves here",
        labels={"environment": cfg.environment, "purpose": "vault-api"},
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(delete_before_replace=True)),
    )
