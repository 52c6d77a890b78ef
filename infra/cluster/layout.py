"""Names, labels, ports and paths every Kubernetes object of the Vault server agrees on."""

from __future__ import annotations

from urllib.parse import urlparse

from infra.config import API_PORT as CONFIG_API_PORT
from infra.config import StackConfig

# The Kubernetes minor version the manifests are validated against (GKE STABLE channel, late 2026).
KUBERNETES_VERSION = "1.33"

STATEFULSET = "vault"
HEADLESS_SERVICE = "vault-internal"  # per-pod DNS names, used by retry_join
CLIENT_SERVICE = "vault"  # any ready (unsealed) node; standbys forward to the active one
ACTIVE_SERVICE = "vault-active"  # the leader only (label set by service_registration "kubernetes")
STANDBY_SERVICE = "vault-standby"
TLS_SECRET = "vault-tls"  # noqa: S105 (a Secret object's name)
# The CA alone, for readers that must verify the listener but may not see tls.key (the GMP collector).
CA_SECRET = "vault-ca"  # noqa: S105  # pragma: allowlist secret (a Secret object's name)
API_LB_SERVICE = "vault-api"  # the internal load balancer: the only way in from outside the cluster
TLS_PROBE_CONFIG_MAP = "vault-tls-probe"
CONFIG_MAP = "vault-config"
SNAPSHOT_CRONJOB = "vault-snapshot"

API_PORT = CONFIG_API_PORT
CLUSTER_PORT = 8201
TLS_PROBE_PORT = 9115  # the probe sidecar (blackbox exporter); the GMP collector only may reach it

CONFIG_DIR = "/vault/config"
CONFIG_FILE = "server.hcl"
TLS_DIR = "/vault/tls"
DATA_DIR = "/vault/data"

# The hashicorp/vault image's `vault` user and group.
VAULT_UID = 100
VAULT_GID = 1000


def server_container_security_context() -> dict:
    """The server container's (and every container that writes files the server runs or reads)."""
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "runAsUser": VAULT_UID,
        "runAsGroup": VAULT_GID,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


SELECTOR = {"app.kubernetes.io/name": "vault", "app.kubernetes.io/component": "server"}
LABELS = {**SELECTOR, "app.kubernetes.io/part-of": "vault-platform", "app.kubernetes.io/managed-by": "pulumi"}
SNAPSHOT_SELECTOR = {"app.kubernetes.io/name": "vault", "app.kubernetes.io/component": "snapshot"}
# Set by Vault's Kubernetes service registration on each server pod.
ACTIVE_LABEL = "vault-active"


def pod_names(cfg: StackConfig) -> list[str]:
    return [f"{STATEFULSET}-{i}" for i in range(cfg.cluster.nodes)]


def pod_host(cfg: StackConfig, pod: str) -> str:
    """The pod's stable DNS name through the headless service; a SAN of the node certificate."""
    return f"{pod}.{HEADLESS_SERVICE}.{cfg.cluster.namespace}.svc"


def service_host(cfg: StackConfig, service: str) -> str:
    return f"{service}.{cfg.cluster.namespace}.svc"


def external_host(cfg: StackConfig) -> str | None:
    """Host of `vault.address` (what clients outside the cluster use), when it is a name."""
    host = urlparse(cfg.vault.address).hostname
    return host if host and not host.replace(".", "").isdigit() else None


def metadata(cfg: StackConfig, name: str, labels: dict[str, str] | None = None) -> dict:
    return {"name": name, "namespace": cfg.cluster.namespace, "labels": {**LABELS, **(labels or {})}}
