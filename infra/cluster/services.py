"""The Vault Services: headless (peer DNS), client (any ready node), active (leader) and standby."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from infra.cluster.layout import (
    ACTIVE_LABEL,
    ACTIVE_SERVICE,
    API_PORT,
    CLIENT_SERVICE,
    CLUSTER_PORT,
    HEADLESS_SERVICE,
    SELECTOR,
    STANDBY_SERVICE,
    metadata,
)
from infra.config import StackConfig

_PORTS = [
    {"name": "https", "port": API_PORT, "targetPort": API_PORT, "protocol": "TCP"},
    {"name": "cluster", "port": CLUSTER_PORT, "targetPort": CLUSTER_PORT, "protocol": "TCP"},
]


# Marks the one service a ServiceMonitor scrapes through, so no pod is scraped once per service.
SCRAPE_LABEL = {"vault-platform/scrape": "true"}


def _service(cfg: StackConfig, name: str, spec: dict, labels: dict | None = None) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(cfg, name, labels),
        "spec": {"type": "ClusterIP", "ports": [dict(p) for p in _PORTS], **spec},
    }


def headless_manifest(cfg: StackConfig) -> dict:
    # Unready pods stay resolvable: an uninitialized or sealed node must still be reachable to join.
    return _service(
        cfg,
        HEADLESS_SERVICE,
        {"clusterIP": "None", "publishNotReadyAddresses": True, "selector": dict(SELECTOR)},
        SCRAPE_LABEL,
    )


def client_manifest(cfg: StackConfig) -> dict:
    return _service(cfg, CLIENT_SERVICE, {"selector": dict(SELECTOR)})


def active_manifest(cfg: StackConfig) -> dict:
    return _service(cfg, ACTIVE_SERVICE, {"selector": {**SELECTOR, ACTIVE_LABEL: "true"}})


def standby_manifest(cfg: StackConfig) -> dict:
    return _service(cfg, STANDBY_SERVICE, {"selector": {**SELECTOR, ACTIVE_LABEL: "false"}})


def service_manifests(cfg: StackConfig) -> list[dict]:
    return [headless_manifest(cfg), client_manifest(cfg), active_manifest(cfg), standby_manifest(cfg)]


def create_services(cfg: StackConfig, opts: pulumi.ResourceOptions) -> list[k8s.core.v1.Service]:
    services = []
    for m in service_manifests(cfg):
        name = m["metadata"]["name"]
        # Label-selected services may have no endpoints for a while (e.g. before init): don't await them.
        meta = {**m["metadata"], "annotations": {"pulumi.com/skipAwait": "true"}}
        services.append(k8s.core.v1.Service(f"service-{name}", metadata=meta, spec=m["spec"], opts=opts))
    return services
