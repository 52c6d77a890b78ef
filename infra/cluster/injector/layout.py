"""Names, labels and ports the injector's objects agree on (vault-helm's `<release>-agent-injector-*`)."""

from __future__ import annotations

from infra.config import StackConfig

NAME = "vault-agent-injector"
SERVICE = f"{NAME}-svc"
WEBHOOK_CONFIG = f"{NAME}-cfg"
WEBHOOK_NAME = "vault.hashicorp.com"  # vault-helm's webhook name
TLS_SECRET = f"{NAME}-tls"
PORT = 8080  # the container listens here; the Service maps 443 to it (vault-helm's defaults)
SERVICE_PORT = 443
CERT_DIR = "/etc/webhook/certs"
# The Vault CA in each service namespace, mounted into the agent by `vault.hashicorp.com/tls-secret`.
VAULT_CA_SECRET = "vault-ca"  # noqa: S105 # pragma: allowlist secret (a Secret object's name)
# vault-k8s runs the agent as 100:1000 (agent-inject/agent/agent.go DefaultAgentRunAsUser/Group).
AGENT_UID = 100
AGENT_GID = 1000
# The projected service-account token with Vault's audience; vault-k8s mounts it into the agent at
# DefaultServiceAccountMount when the pod names it in `agent-service-account-token-volume-name`.
SA_TOKEN_VOLUME = "vault-token"  # noqa: S105 (a volume name)
SA_TOKEN_TTL = 3600

SELECTOR = {"app.kubernetes.io/name": NAME, "app.kubernetes.io/component": "webhook"}
LABELS = {**SELECTOR, "app.kubernetes.io/part-of": "vault-platform", "app.kubernetes.io/managed-by": "pulumi"}


def metadata(cfg: StackConfig, name: str = NAME) -> dict:
    return {"name": name, "namespace": cfg.injector.namespace, "labels": dict(LABELS)}


def service_hosts(cfg: StackConfig) -> list[str]:
    """The names the API server may dial: SANs of the webhook certificate (vault-helm's TLS_AUTO_HOSTS)."""
    ns = cfg.injector.namespace
    return [SERVICE, f"{SERVICE}.{ns}", f"{SERVICE}.{ns}.svc", f"{SERVICE}.{ns}.svc.cluster.local"]
