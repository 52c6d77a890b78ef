"""The per-pod TLS probe: a blackbox-exporter sidecar that handshakes with its own pod's listener.

Neither Vault nor OpenBao exports the expiry of its listener certificate (measured on OpenBao 2.7.2:
no such series in `/v1/sys/metrics`; docs/facts.md), and the certificate that matters is the one each
process serves: Vault reads it at start (and on SIGHUP), so a pod that was not restarted after a
renewal keeps serving the old one. A probe of 127.0.0.1:8200 from inside each pod measures exactly
that, verified against the cluster CA (`vault-ca`), and Managed Prometheus scrapes it through the
`vault` PodMonitoring (`probe_ssl_earliest_cert_expiry{job="vault", pod=...}`).
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
import yaml

from infra.cluster.layout import API_PORT, CA_SECRET, TLS_PROBE_CONFIG_MAP, TLS_PROBE_PORT, metadata
from infra.config import StackConfig

MODULE = "vault_tls"
TARGET = f"127.0.0.1:{API_PORT}"  # an IP SAN of the node certificate
PORT_NAME = "tls-probe"
CONFIG_DIR = "/etc/tls-probe"
CA_DIR = "/etc/vault-ca"
NOBODY = 65534  # the blackbox-exporter image's user


def enabled(cfg: StackConfig) -> bool:
    """The probe runs where its only client is known and fenced in: Google Managed Prometheus, whose
    collectors live in gmp-system (the NetworkPolicy admits the probe port from there alone). With a
    ServiceMonitor the Prometheus namespace varies; no probe, and the rules over it are left out."""
    return cfg.cluster.telemetry.scrape == "podmonitoring"


def blackbox_config(cfg: StackConfig) -> str:
    """The exporter's module: a TLS handshake verified against the cluster CA, at the listener's minimum
    version, nothing sent. Pure: the same config renders the same bytes (it is part of the checksum)."""
    # prometheus/common's TLS config spells versions TLS12 / TLS13.
    tls = {"ca_file": f"{CA_DIR}/ca.crt", "min_version": cfg.cluster.tls.min_version.upper()}
    module = {"prober": "tcp", "timeout": "5s", "tcp": {"tls": True, "tls_config": tls}}
    return yaml.safe_dump({"modules": {MODULE: module}}, sort_keys=True)


def config_map_manifest(cfg: StackConfig) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata(cfg, TLS_PROBE_CONFIG_MAP),
        "data": {"blackbox.yml": blackbox_config(cfg)},
    }


def container(cfg: StackConfig) -> dict:
    return {
        "name": PORT_NAME,
        "image": cfg.cluster.telemetry.tls_probe_image,
        "imagePullPolicy": "IfNotPresent",
        "args": [f"--config.file={CONFIG_DIR}/blackbox.yml", f"--web.listen-address=:{TLS_PROBE_PORT}"],
        "ports": [{"name": PORT_NAME, "containerPort": TLS_PROBE_PORT, "protocol": "TCP"}],
        "resources": {
            "requests": {"cpu": "10m", "memory": "32Mi"},
            "limits": {"cpu": "100m", "memory": "64Mi"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": NOBODY,
            "runAsGroup": NOBODY,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "volumeMounts": [
            {"name": "tls-probe-config", "mountPath": CONFIG_DIR, "readOnly": True},
            {"name": "vault-ca", "mountPath": CA_DIR, "readOnly": True},
        ],
    }


def volumes() -> list[dict]:
    # The CA-only Secret: the sidecar never gets the node's private key.
    return [
        {"name": "tls-probe-config", "configMap": {"name": TLS_PROBE_CONFIG_MAP, "defaultMode": 0o444}},
        {"name": "vault-ca", "secret": {"secretName": CA_SECRET, "defaultMode": 0o444}},
    ]


def scrape_endpoint(interval: str) -> dict:
    """The PodMonitoring endpoint that asks each pod's sidecar to probe that pod."""
    return {
        "port": PORT_NAME,
        "scheme": "http",  # the sidecar's own port, reachable from gmp-system only (NetworkPolicy)
        "path": "/probe",
        "params": {"module": [MODULE], "target": [TARGET]},
        "interval": interval,
    }


def create_config_map(cfg: StackConfig, opts: pulumi.ResourceOptions) -> k8s.core.v1.ConfigMap:
    m = config_map_manifest(cfg)
    return k8s.core.v1.ConfigMap("tls-probe-config", metadata=m["metadata"], data=m["data"], opts=opts)
