"""The GKE server spec: what `render_server_hcl` gets for a staging/prod pod, and the ConfigMap."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

import pulumi
import pulumi_kubernetes as k8s

from infra.cluster.layout import (
    API_PORT,
    CLUSTER_PORT,
    CONFIG_FILE,
    CONFIG_MAP,
    DATA_DIR,
    TLS_DIR,
    metadata,
    pod_host,
    pod_names,
)
from infra.cluster.server_hcl import GcpCkmsSeal, RetryJoin, ServerSpec, render_server_hcl
from infra.config import StackConfig

CONFIG_CHECKSUM_ANNOTATION = "vault-platform/config-checksum"


def gke_server_spec(cfg: StackConfig) -> ServerSpec:
    assert cfg.gcp is not None and cfg.kms is not None
    cluster = cfg.cluster
    return ServerSpec(
        flavour=cluster.server,
        seal=GcpCkmsSeal(
            project=cfg.gcp.project,
            region=cfg.kms.location,
            key_ring=cfg.kms.key_ring,
            crypto_key=cfg.kms.crypto_key,
        ),
        raft_path=DATA_DIR,
        listener_address=f"0.0.0.0:{API_PORT}",
        cluster_listener_address=f"0.0.0.0:{CLUSTER_PORT}",
        tls_cert_file=f"{TLS_DIR}/tls.crt",
        tls_key_file=f"{TLS_DIR}/tls.key",
        tls_min_version=cluster.tls.min_version,
        tls_cipher_suites=tuple(cluster.tls.cipher_suites),
        # Every peer, the pod itself included (an attempt to join itself just fails over to the next):
        # one identical file for all pods, so the checksum annotation changes exactly when it does.
        retry_join=tuple(
            RetryJoin(
                leader_api_addr=f"https://{pod_host(cfg, pod)}:{API_PORT}",
                leader_ca_cert_file=f"{TLS_DIR}/ca.crt",
                leader_tls_servername=pod_host(cfg, pod),
            )
            for pod in pod_names(cfg)
        ),
        performance_multiplier=cluster.performance_multiplier,
        prometheus_retention_seconds=cluster.telemetry.prometheus_retention,
        unauthenticated_metrics=cluster.telemetry.unauthenticated_metrics,
        kubernetes_service_registration=True,
        log_level=cluster.log_level,
        default_lease_ttl_seconds=cfg.vault.default_lease_ttl,
        max_lease_ttl_seconds=cfg.vault.max_lease_ttl,
        audit=tuple(cfg.vault.audit),
        # The pod runs without IPC_LOCK (restricted Pod Security); GKE nodes have no swap to leak to.
        disable_mlock=True,
    )


def render(cfg: StackConfig) -> str:
    return render_server_hcl(gke_server_spec(cfg))


def pod_checksum(parts: Mapping[str, str]) -> str:
    """The pod template's checksum annotation: a sha256 over everything a running server reads only at
    start (server HCL, listener certificate and CA, the probe's config), so a change to any of them
    marks every pod for the standby-first roll. Pure, so it may run inside an Output.apply."""
    return hashlib.sha256(json.dumps(dict(parts), sort_keys=True).encode()).hexdigest()


def configmap_manifest(cfg: StackConfig, hcl: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata(cfg, CONFIG_MAP),
        "data": {CONFIG_FILE: hcl},
    }


def create_configmap(cfg: StackConfig, hcl: str, opts: pulumi.ResourceOptions) -> k8s.core.v1.ConfigMap:
    m = configmap_manifest(cfg, hcl)
    return k8s.core.v1.ConfigMap("config", metadata=m["metadata"], data=m["data"], opts=opts)
