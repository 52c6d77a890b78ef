"""GKE's control plane may call the injector: a firewall rule from the control plane's range to the
nodes' service account, on the injector's port only (GKE opens only 443 and 10250 by default, and a
webhook it cannot reach fails closed: no pod in a service namespace could be created)."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from infra.cluster.injector.layout import PORT
from infra.config import StackConfig
from infra.platform import GcpPlatform


def create_firewall(
    cfg: StackConfig, platform: GcpPlatform, opts: pulumi.ResourceOptions
) -> gcp.compute.Firewall:
    assert cfg.gcp is not None
    return gcp.compute.Firewall(
        "injector-webhook-from-control-plane",
        project=cfg.gcp.project,
        name=f"vault-{cfg.environment}-injector-webhook",
        network=platform.network.network.id,
        direction="INGRESS",
        source_ranges=[cfg.gcp.master_cidr],
        target_service_accounts=[platform.gke.node_account.email],
        allows=[gcp.compute.FirewallAllowArgs(protocol="tcp", ports=[str(PORT)])],
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(delete_before_replace=True)),
    )
