"""The Raft snapshot CronJob: log in with Kubernetes auth, save a snapshot from the leader, upload it
to the off-cluster bucket as the snapshot Google service account (Workload Identity). No static keys:
the Vault token comes from a short-lived projected service-account token, the GCS access from the pod's
identity. TLS is always verified against the cluster CA.
"""

from __future__ import annotations

import shlex

import pulumi
import pulumi_kubernetes as k8s

from infra.cluster.layout import (
    ACTIVE_SERVICE,
    API_PORT,
    LABELS,
    SNAPSHOT_CRONJOB,
    SNAPSHOT_SELECTOR,
    TLS_SECRET,
    VAULT_GID,
    VAULT_UID,
    metadata,
    service_host,
)
from infra.config import StackConfig
from infra.names import SNAPSHOT_ROLE, SNAPSHOT_SERVICE_ACCOUNT

TOKEN_DIR = "/var/run/secrets/vault"  # noqa: S105 (a mount path)
CA_DIR = "/vault/ca"
SNAPSHOT_DIR = "/snapshot"
# Both containers run as the Vault image's uid: `vault operator raft snapshot save` creates its file
# 0600 (measured with bao, docs/facts.md), so only its writer's uid can read it back. One uid keeps the
# snapshot private to the job instead of widening its mode for a second user (the emptyDir is shared
# by nothing else; fsGroup alone would not help, the file has no group bits).
UPLOADER_UID = VAULT_UID
# The JSON lines Cloud Logging parses into jsonPayload; log-based metrics count them (alerts.py).
STATUS_FIELD = "snapshot"


def _on_failure(stage: str) -> str:
    # set -e exits on the first failing command; the EXIT trap still reports it.
    line = f'{{\\"{STATUS_FIELD}\\":\\"failed\\",\\"stage\\":\\"{stage}\\",\\"exit\\":$rc}}'
    return f'trap \'rc=$?; [ "$rc" -eq 0 ] || echo "{line}" >&2\' EXIT'


def save_script(cfg: StackConfig) -> str:
    binary = "bao" if cfg.cluster.server == "openbao" else "vault"
    login = f"auth/{cfg.kubernetes_auth.path}/login"
    return "\n".join(
        [
            "set -eu",
            _on_failure("save"),
            # The role's policy reads sys/storage/raft/snapshot and nothing else.
            f'VAULT_TOKEN="$({binary} write -field=token {login} role={SNAPSHOT_ROLE} jwt=@{TOKEN_DIR}/token)"',
            "export VAULT_TOKEN",
            'name="vault-raft-$(date -u +%Y%m%dT%H%M%SZ).snap"',
            f'{binary} operator raft snapshot save "{SNAPSHOT_DIR}/$name"',
            f'{binary} token revoke -self || echo "token revoke failed; it expires with its TTL" >&2',
            f'echo "saved {SNAPSHOT_DIR}/$name"',
        ]
    )


def upload_script(cfg: StackConfig, bucket: str | None = None) -> str:
    assert cfg.snapshots is not None
    destination = f"gs://{bucket or cfg.snapshots.bucket}/{cfg.environment}/"
    uploaded = f'{{"{STATUS_FIELD}":"uploaded","object":"{destination}%s"}}\\n'
    return "\n".join(
        [
            "set -eu",
            _on_failure("upload"),
            f"for f in {SNAPSHOT_DIR}/*.snap; do",
            # An unmatched glob stays literal: say so instead of a confusing copy error.
            '  [ -e "$f" ] || { echo "no snapshot in ' + SNAPSHOT_DIR + '" >&2; exit 1; }',
            # Object names are unique per run: the writer role can create, never overwrite or delete.
            f'  gcloud storage cp --no-user-output-enabled "$f" {shlex.quote(destination)}',
            f'  printf {shlex.quote(uploaded)} "$(basename "$f")"',
            "done",
        ]
    )


def _security(uid: int) -> dict:
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "runAsUser": uid,
        "runAsGroup": VAULT_GID,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


_SMALL = {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}}


def cronjob_manifest(cfg: StackConfig, bucket: str | None = None) -> dict:
    """The CronJob; `bucket` is the snapshot bucket's name as the platform's output gives it
    (default: the configured name, for tests and tools that render without a program)."""
    assert cfg.snapshots is not None
    save = {
        "name": "save",
        "image": cfg.cluster.image,
        "command": ["/bin/sh", "-c", save_script(cfg)],
        "env": [
            {"name": "VAULT_ADDR", "value": f"https://{service_host(cfg, ACTIVE_SERVICE)}:{API_PORT}"},
            {"name": "VAULT_CACERT", "value": f"{CA_DIR}/ca.crt"},
            {"name": "HOME", "value": "/tmp"},  # noqa: S108 (the pod's own emptyDir)
        ],
        "resources": _SMALL,
        "securityContext": _security(VAULT_UID),
        "volumeMounts": [
            {"name": "vault-token", "mountPath": TOKEN_DIR, "readOnly": True},
            {"name": "ca", "mountPath": CA_DIR, "readOnly": True},
            {"name": "snapshot", "mountPath": SNAPSHOT_DIR},
            {"name": "tmp", "mountPath": "/tmp"},  # noqa: S108 (an emptyDir)
        ],
    }
    upload = {
        "name": "upload",
        "image": cfg.snapshots.uploader_image,
        "command": ["/bin/sh", "-c", upload_script(cfg, bucket)],
        "env": [
            {"name": "HOME", "value": "/tmp"},  # noqa: S108 (the pod's own emptyDir)
            {"name": "CLOUDSDK_CONFIG", "value": "/tmp/gcloud"},  # noqa: S108 (gcloud needs a writable dir)
            {"name": "CLOUDSDK_CORE_DISABLE_PROMPTS", "value": "1"},
            # Parallel composite uploads (gcloud's default above 150 MiB) compose temporary objects and
            # then delete them: objectCreator has no delete, so a large snapshot would fail. The
            # property storage/parallel_composite_upload_enabled=False turns them off
            # (cloud.google.com/storage/docs/parallel-composite-uploads).
            {"name": "CLOUDSDK_STORAGE_PARALLEL_COMPOSITE_UPLOAD_ENABLED", "value": "False"},
        ],
        "resources": _SMALL,
        "securityContext": _security(UPLOADER_UID),
        "volumeMounts": [
            {"name": "snapshot", "mountPath": SNAPSHOT_DIR, "readOnly": True},
            {"name": "tmp", "mountPath": "/tmp"},  # noqa: S108 (an emptyDir)
        ],
    }
    pod_spec = {
        "serviceAccountName": SNAPSHOT_SERVICE_ACCOUNT,
        # No API token mounted; Vault gets its own short-lived, audience-bound one below.
        "automountServiceAccountToken": False,
        "restartPolicy": "Never",
        "securityContext": {
            "runAsNonRoot": True,
            "fsGroup": VAULT_GID,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        # Save first (init container), upload only a snapshot that was fully written.
        "initContainers": [save],
        "containers": [upload],
        "volumes": [
            {
                "name": "vault-token",
                "projected": {
                    "sources": [
                        {
                            "serviceAccountToken": {
                                "audience": cfg.kubernetes_auth.audience,
                                "expirationSeconds": 600,
                                "path": "token",
                            }
                        }
                    ]
                },
            },
            # Only the CA certificate from the TLS secret, never the node's private key.
            {
                "name": "ca",
                "secret": {"secretName": TLS_SECRET, "items": [{"key": "ca.crt", "path": "ca.crt"}]},
            },
            {"name": "snapshot", "emptyDir": {"sizeLimit": cfg.cluster.resources.storage}},
            {"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}},
        ],
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": metadata(cfg, SNAPSHOT_CRONJOB, SNAPSHOT_SELECTOR),
        "spec": {
            "schedule": cfg.snapshots.schedule,
            "timeZone": "Etc/UTC",
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": 600,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 3,  # kept so the failure alert has something to see
            "jobTemplate": {
                "metadata": {"labels": {**LABELS, **SNAPSHOT_SELECTOR}},
                "spec": {
                    "backoffLimit": 2,
                    "activeDeadlineSeconds": 1800,
                    "template": {"metadata": {"labels": {**LABELS, **SNAPSHOT_SELECTOR}}, "spec": pod_spec},
                },
            },
        },
    }


def create_cronjob(
    cfg: StackConfig, bucket_name: pulumi.Input[str], opts: pulumi.ResourceOptions
) -> k8s.batch.v1.CronJob:
    # The upload names the bucket: rendered from the bucket's output, so the job waits for it.
    spec = pulumi.Output.from_input(bucket_name).apply(lambda bucket: cronjob_manifest(cfg, bucket)["spec"])
    return k8s.batch.v1.CronJob("snapshot", metadata=cronjob_manifest(cfg)["metadata"], spec=spec, opts=opts)
