"""The server spec of a staging/prod pod: the one source of the server configuration.

Pure (no SDK import): the GKE ConfigMap renders it (`infra.cluster.server_config`), and the local
environment derives each node's spec from it, replacing only what cannot be the same on one machine
(the seal, addresses, paths, node identity; tests/unit/cluster/test_server_spec.py holds the list).
"""

from __future__ import annotations

from infra.cluster.layout import API_PORT, CLUSTER_PORT, DATA_DIR, TLS_DIR, pod_host, pod_names
from infra.cluster.server_hcl import GcpCkmsSeal, RetryJoin, Seal, ServerSpec
from infra.config import StackConfig


def cloud_kms_seal(cfg: StackConfig) -> GcpCkmsSeal:
    if cfg.gcp is None or cfg.kms is None:
        raise ValueError(f"stack {cfg.environment!r} has no gcp/kms settings: no Cloud KMS seal to render")
    return GcpCkmsSeal(
        project=cfg.kms_project(),  # the key's project, which prod keeps apart from the cluster's
        region=cfg.kms.location,
        key_ring=cfg.kms.key_ring,
        crypto_key=cfg.kms.crypto_key,
    )


def gke_server_spec(cfg: StackConfig, seal: Seal | None = None) -> ServerSpec:
    """The spec every staging/prod pod runs. `seal` replaces the stack's Cloud KMS seal (the local
    environment has none: `infra.local.nodes` derives its nodes' specs from this one)."""
    cluster = cfg.cluster
    return ServerSpec(
        flavour=cluster.server,
        seal=seal or cloud_kms_seal(cfg),
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
        plugin_directory=cluster.plugin_directory,
    )
