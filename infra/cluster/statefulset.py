"""The Vault server StatefulSet: Raft voters spread over zones and hosts, locked down, rolled by hand.

Updates are `OnDelete`: a change of the server config or of the TLS certificate only changes the pod
template's checksum annotation, and the operator rolls standbys first, the active node last after a
step-down (docs/rolling-restart.md, `vaultctl roll`), so leadership moves once and one pod at a time is
down. The object is `protect`ed: fields Kubernetes cannot update in place (claim templates, selector,
service name: infra/cluster/immutable.py) would make the engine delete every voter at once.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from infra.cluster import plugins, tls_probe
from infra.cluster.layout import (
    API_PORT,
    CLUSTER_PORT,
    CONFIG_DIR,
    CONFIG_FILE,
    CONFIG_MAP,
    DATA_DIR,
    HEADLESS_SERVICE,
    LABELS,
    SELECTOR,
    STATEFULSET,
    TLS_DIR,
    TLS_SECRET,
    VAULT_GID,
    VAULT_UID,
    metadata,
    server_container_security_context,
)
from infra.cluster.server_config import CONFIG_CHECKSUM_ANNOTATION
from infra.config import StackConfig
from infra.names import VAULT_SERVICE_ACCOUNT

# Readiness: serve traffic when unsealed and initialized, active or standby (standbys forward).
# Sealed (503) and uninitialized (501) pods are not ready, so clients never land on them.
READINESS_PATH = "/v1/sys/health?standbyok=true&perfstandbyok=true"
# Liveness only asks "is the process answering": a sealed or uninitialized node must not be killed
# (auto-unseal retries by itself; `vaultctl init` needs it up), so those states answer 204 here.
LIVENESS_PATH = (
    "/v1/sys/health?standbyok=true&perfstandbyok=true&sealedcode=204&uninitcode=204&drsecondarycode=204"
)


def _binary(cfg: StackConfig) -> str:
    return "bao" if cfg.cluster.server == "openbao" else "vault"


def _env(cfg: StackConfig) -> list[dict]:
    def field(path: str) -> dict:
        return {"valueFrom": {"fieldRef": {"fieldPath": path}}}

    host = f"$(POD_NAME).{HEADLESS_SERVICE}.{cfg.cluster.namespace}.svc"
    return [
        {"name": "POD_NAME", **field("metadata.name")},
        {"name": "POD_IP", **field("status.podIP")},
        # Read by service_registration "kubernetes" to label this pod active/standby.
        {"name": "VAULT_K8S_POD_NAME", **field("metadata.name")},
        {"name": "VAULT_K8S_NAMESPACE", **field("metadata.namespace")},
        {"name": "VAULT_RAFT_NODE_ID", "value": "$(POD_NAME)"},
        # Names in the node certificate, so redirects and request forwarding verify.
        {"name": "VAULT_API_ADDR", "value": f"https://{host}:{API_PORT}"},
        {"name": "VAULT_CLUSTER_ADDR", "value": f"https://{host}:{CLUSTER_PORT}"},
        # The in-pod CLI (operators' `kubectl exec`) verifies TLS against the cluster CA.
        {"name": "VAULT_ADDR", "value": f"https://127.0.0.1:{API_PORT}"},
        {"name": "VAULT_CACERT", "value": f"{TLS_DIR}/ca.crt"},
        # The CLI's token helper writes to $HOME; the root fs is read-only, /tmp is an emptyDir.
        {"name": "HOME", "value": "/tmp"},  # noqa: S108
        {"name": "SKIP_SETCAP", "value": "true"},
    ]


def _probe(path: str, initial_delay: int, period: int, failures: int) -> dict:
    # The kubelet does not verify certificates of HTTPS probes; the listener stays TLS-only.
    return {
        "httpGet": {"path": path, "port": API_PORT, "scheme": "HTTPS"},
        "initialDelaySeconds": initial_delay,
        "periodSeconds": period,
        "timeoutSeconds": 3,
        "successThreshold": 1,
        "failureThreshold": failures,
    }


def _container(cfg: StackConfig) -> dict:
    r = cfg.cluster.resources
    mounts = [
        {"name": "config", "mountPath": CONFIG_DIR, "readOnly": True},
        {"name": "tls", "mountPath": TLS_DIR, "readOnly": True},
        {"name": "data", "mountPath": DATA_DIR},
        {"name": "tmp", "mountPath": "/tmp"},  # noqa: S108 (an emptyDir, the only writable scratch space)
        *plugins.server_mounts(cfg),
    ]
    return {
        "name": "vault",
        "image": cfg.cluster.image,
        "imagePullPolicy": "IfNotPresent",
        # The binary directly, not the image's entrypoint script (which chowns and setcaps as root).
        "command": [_binary(cfg), "server", f"-config={CONFIG_DIR}/{CONFIG_FILE}"],
        "env": _env(cfg),
        "ports": [
            {"name": "https", "containerPort": API_PORT, "protocol": "TCP"},
            {"name": "cluster", "containerPort": CLUSTER_PORT, "protocol": "TCP"},
        ],
        "readinessProbe": _probe(READINESS_PATH, 5, 5, 2),
        "livenessProbe": _probe(LIVENESS_PATH, 60, 10, 6),
        # Let endpoints drop this pod before the server steps down, so clients are not cut mid-request.
        "lifecycle": {"preStop": {"exec": {"command": ["/bin/sh", "-c", "sleep 5"]}}},
        "resources": {
            "requests": {"cpu": r.cpu_request, "memory": r.memory_request},
            "limits": {"cpu": r.cpu_limit, "memory": r.memory_limit},
        },
        "securityContext": server_container_security_context(),
        "volumeMounts": mounts,
    }


def _claim(name: str, size: str, storage_class: str) -> dict:
    return {
        "metadata": {"name": name, "labels": dict(SELECTOR)},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "storageClassName": storage_class,
            "resources": {"requests": {"storage": size}},
        },
    }


def statefulset_manifest(cfg: StackConfig, pod_checksum: pulumi.Input[str]) -> dict:
    """`pod_checksum` covers what a running server only reads at start: its config and its certificate
    (infra.cluster.server_config.pod_checksum); it may be an Output (the certificate is one)."""
    c = cfg.cluster
    # Audit goes to stdout (Cloud Logging): the only claim is Raft's. Claim templates cannot change in
    # place (docs/statefulset-changes.md).
    claims = [_claim("data", c.resources.storage, c.resources.storage_class)]
    containers = [_container(cfg)]
    volumes = [
        {"name": "config", "configMap": {"name": CONFIG_MAP, "defaultMode": 0o440}},
        {"name": "tls", "secret": {"secretName": TLS_SECRET, "defaultMode": 0o440}},
        {"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}},
        *plugins.volumes(cfg),
    ]
    if tls_probe.enabled(cfg):
        containers.append(tls_probe.container(cfg))
        volumes += tls_probe.volumes()
    pod_spec = {
        "serviceAccountName": VAULT_SERVICE_ACCOUNT,
        # Service registration patches this pod's labels with the token.
        "automountServiceAccountToken": True,
        # A leader gets time to hand over (graceful step-down took ~50 ms here) and flush.
        "terminationGracePeriodSeconds": 30,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": VAULT_UID,
            "runAsGroup": VAULT_GID,
            "fsGroup": VAULT_GID,
            "fsGroupChangePolicy": "OnRootMismatch",
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "affinity": {
            "podAntiAffinity": {
                # Hard: two voters on one host would lose quorum together.
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
                # Zones differ by at most one voter, so losing a zone never loses quorum (5 -> 2,2,1).
                "maxSkew": 1,
                "minDomains": min(len(set(c.zones)), c.nodes),
                "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": {"matchLabels": dict(SELECTOR)},
            }
        ],
        **({"initContainers": init} if (init := plugins.init_containers(cfg)) else {}),
        "containers": containers,
        "volumes": volumes,
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {
            **metadata(cfg, STATEFULSET),
            # Pods only turn ready after the one-off `vaultctl init`: `pulumi up` must not wait for it.
            "annotations": {"pulumi.com/skipAwait": "true"},
        },
        "spec": {
            "replicas": c.nodes,
            "serviceName": HEADLESS_SERVICE,
            # All pods start together: retry_join needs peers up to find the leader.
            "podManagementPolicy": "Parallel",
            "updateStrategy": {"type": "OnDelete"},
            "selector": {"matchLabels": dict(SELECTOR)},
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
            "template": {
                "metadata": {
                    "labels": dict(LABELS),
                    "annotations": {CONFIG_CHECKSUM_ANNOTATION: pod_checksum},
                },
                "spec": pod_spec,
            },
            "volumeClaimTemplates": claims,
        },
    }


def create_statefulset(
    cfg: StackConfig, pod_checksum: pulumi.Input[str], opts: pulumi.ResourceOptions
) -> k8s.apps.v1.StatefulSet:
    m = statefulset_manifest(cfg, pod_checksum)
    return k8s.apps.v1.StatefulSet(
        "statefulset",
        metadata=m["metadata"],
        spec=m["spec"],
        # The engine refuses to replace or delete it: a replacement deletes every voter (and with the
        # claims' Retain policy, leaves their data behind). The runbook keeps quorum instead.
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=True)),
    )
