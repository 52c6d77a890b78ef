"""The injector Deployment: vault-helm's `injector-deployment.yaml` with TLS from a Secret we manage,
hardened (non-root, read-only root, no capabilities), spread over nodes and zones, sized by config."""

from __future__ import annotations

import hashlib

import pulumi
import pulumi_kubernetes as k8s

from infra.cluster.injector.agent_config import InjectorDefaults
from infra.cluster.injector.layout import (
    AGENT_GID,
    AGENT_UID,
    CERT_DIR,
    NAME,
    PORT,
    SELECTOR,
    TLS_SECRET,
    metadata,
)
from infra.cluster.layout import API_PORT, CLIENT_SERVICE, service_host
from infra.cluster.object_meta import object_meta
from infra.config import ContainerResources, StackConfig

CHECKSUM_ANNOTATION = "vault-platform/webhook-cert-sha256"


def vault_address(cfg: StackConfig) -> str:
    """Where injected agents reach Vault: the in-cluster client Service, a SAN of the node certificate."""
    return f"https://{service_host(cfg, CLIENT_SERVICE)}:{API_PORT}"


def injector_defaults(cfg: StackConfig, address: str | None = None) -> InjectorDefaults:
    """What the injector's environment below makes `Init` put on every pod (one source for both)."""
    return InjectorDefaults(
        address=address or vault_address(cfg),
        auth_path=f"auth/{cfg.kubernetes_auth.path}",
        default_template="json",
        exit_on_retry_failure=True,
        static_secret_render_interval=f"{cfg.injector.static_secret_render_interval}s",
    )


def injector_env(cfg: StackConfig) -> list[dict]:
    injector = cfg.injector
    defaults = injector_defaults(cfg)
    agent = injector.agent_resources
    env = {
        "AGENT_INJECT_LISTEN": f":{PORT}",
        "AGENT_INJECT_LOG_LEVEL": injector.log_level,
        "AGENT_INJECT_LOG_FORMAT": "json",
        "AGENT_INJECT_VAULT_ADDR": defaults.address,
        "AGENT_INJECT_VAULT_AUTH_PATH": defaults.auth_path,
        "AGENT_INJECT_VAULT_IMAGE": injector.agent_image,
        "AGENT_INJECT_TLS_CERT_FILE": f"{CERT_DIR}/tls.crt",
        "AGENT_INJECT_TLS_KEY_FILE": f"{CERT_DIR}/tls.key",
        "AGENT_INJECT_TLS_MIN_VERSION": cfg.cluster.tls.min_version,
        "AGENT_INJECT_REVOKE_ON_SHUTDOWN": "false",  # per pod: sidecars ask for it in their annotations
        "AGENT_INJECT_SET_SECURITY_CONTEXT": "true",
        "AGENT_INJECT_CPU_REQUEST": agent.cpu_request,
        "AGENT_INJECT_CPU_LIMIT": agent.cpu_limit,
        "AGENT_INJECT_MEM_REQUEST": agent.memory_request,
        "AGENT_INJECT_MEM_LIMIT": agent.memory_limit,
        "AGENT_INJECT_DEFAULT_TEMPLATE": defaults.default_template,
        "AGENT_INJECT_TEMPLATE_CONFIG_EXIT_ON_RETRY_FAILURE": str(defaults.exit_on_retry_failure).lower(),
        "AGENT_INJECT_TEMPLATE_STATIC_SECRET_RENDER_INTERVAL": defaults.static_secret_render_interval,
    }
    return [{"name": k, "value": v} for k, v in env.items()] + [
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}
    ]


def _resources(r: ContainerResources) -> dict:
    return {
        "requests": {"cpu": r.cpu_request, "memory": r.memory_request},
        "limits": {"cpu": r.cpu_limit, "memory": r.memory_limit},
    }


def _probe(failure_threshold: int, period: int) -> dict:
    return {
        "httpGet": {"path": "/health/ready", "port": PORT, "scheme": "HTTPS"},
        "failureThreshold": failure_threshold,
        "initialDelaySeconds": 5,
        "periodSeconds": period,
        "successThreshold": 1,
        "timeoutSeconds": 5,
    }


def cert_checksum(cert_pem: str | None) -> str:
    # None while the certificate is not known yet (a preview of a first deployment).
    return hashlib.sha256((cert_pem or "").encode()).hexdigest()


def deployment_manifest(cfg: StackConfig, checksum: str) -> dict:
    injector = cfg.injector
    container = {
        "name": "sidecar-injector",
        "image": injector.image,
        "imagePullPolicy": "IfNotPresent",
        "args": ["agent-inject"],
        "env": injector_env(cfg),
        "ports": [{"name": "https", "containerPort": PORT, "protocol": "TCP"}],
        "resources": _resources(injector.resources),
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": AGENT_UID,
            "runAsGroup": AGENT_GID,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "livenessProbe": _probe(2, 2),
        "readinessProbe": _probe(2, 2),
        "startupProbe": _probe(12, 5),
        "volumeMounts": [{"name": "webhook-certs", "mountPath": CERT_DIR, "readOnly": True}],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata(cfg),
        "spec": {
            "replicas": injector.replicas,
            "selector": {"matchLabels": dict(SELECTOR)},
            # One pod at a time, never below the replica count: the webhook fails closed.
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "template": {
                "metadata": {
                    "labels": dict(metadata(cfg)["labels"]),
                    # A re-issued certificate rolls the pods (they read it at start).
                    "annotations": {CHECKSUM_ANNOTATION: checksum},
                },
                "spec": {
                    "serviceAccountName": NAME,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": AGENT_UID,
                        "runAsGroup": AGENT_GID,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "affinity": {
                        "podAntiAffinity": {
                            "requiredDuringSchedulingIgnoredDuringExecution": [
                                {
                                    "labelSelector": {"matchLabels": dict(SELECTOR)},
                                    "topologyKey": "kubernetes.io/hostname",
                                }
                            ]
                        }
                    },
                    "topologySpreadConstraints": [
                        {
                            "maxSkew": 1,
                            "topologyKey": "topology.kubernetes.io/zone",
                            "whenUnsatisfiable": "ScheduleAnyway",
                            "labelSelector": {"matchLabels": dict(SELECTOR)},
                        }
                    ],
                    "containers": [container],
                    "volumes": [{"name": "webhook-certs", "secret": {"secretName": TLS_SECRET}}],
                },
            },
        },
    }


def create_deployment(
    cfg: StackConfig, checksum: pulumi.Output[str], opts: pulumi.ResourceOptions
) -> k8s.apps.v1.Deployment:
    spec = checksum.apply(lambda value: deployment_manifest(cfg, value)["spec"])
    return k8s.apps.v1.Deployment("injector", metadata=object_meta(metadata(cfg)), spec=spec, opts=opts)
