"""Google service accounts the workloads act as, reached only through Workload Identity (no keys).

Emails and resource names are derived from config, not read from provider outputs, so they are known
at preview time (policy rules can check them) and identical under the mocks.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.config import StackConfig
from infra.names import SNAPSHOT_SERVICE_ACCOUNT, VAULT_SERVICE_ACCOUNT

# GCP account ids need 6-30 characters: "vault" alone is too short.
VAULT_GSA_ID = "vault-server"
SNAPSHOT_GSA_ID = "vault-snapshot"
NODE_GSA_ID = "vault-gke-nodes"


def service_account_email(project: str, account_id: str) -> str:
    return f"{account_id}@{project}.iam.gserviceaccount.com"


def service_account_name(project: str, account_id: str) -> str:
    """The `projects/.../serviceAccounts/EMAIL` form IAM bindings on a service account take."""
    return f"projects/{project}/serviceAccounts/{service_account_email(project, account_id)}"


def workload_identity_member(project: str, namespace: str, kubernetes_sa: str) -> str:
    return f"serviceAccount:{project}.svc.id.goog[{namespace}/{kubernetes_sa}]"


@dataclass(frozen=True)
class WorkloadIdentity:
    account: gcp.serviceaccount.Account
    binding: gcp.serviceaccount.IAMMember
    email: str


def _bound_account(
    name: str,
    cfg: StackConfig,
    account_id: str,
    kubernetes_sa: str,
    purpose: str,
    opts: pulumi.ResourceOptions,
) -> WorkloadIdentity:
    assert cfg.gcp is not None
    project = cfg.gcp.project
    account = gcp.serviceaccount.Account(
        name, project=project, account_id=account_id, display_name=purpose, description=purpose, opts=opts
    )
    # Only this one Kubernetes service account may act as the Google account: no keys are ever minted.
    binding = gcp.serviceaccount.IAMMember(
        f"{name}-workload-identity",
        service_account_id=account.account_id.apply(lambda a: service_account_name(project, a)),
        role="roles/iam.workloadIdentityUser",
        member=workload_identity_member(project, cfg.cluster.namespace, kubernetes_sa),
        opts=opts,
    )
    return WorkloadIdentity(account, binding, service_account_email(project, account_id))


def vault_identity(cfg: StackConfig, opts: pulumi.ResourceOptions) -> WorkloadIdentity:
    return _bound_account(
        "vault-server", cfg, VAULT_GSA_ID, VAULT_SERVICE_ACCOUNT, "Vault server: KMS auto-unseal", opts
    )


def snapshot_identity(cfg: StackConfig, opts: pulumi.ResourceOptions) -> WorkloadIdentity:
    return _bound_account(
        "vault-snapshot",
        cfg,
        SNAPSHOT_GSA_ID,
        SNAPSHOT_SERVICE_ACCOUNT,
        "Vault Raft snapshot job: writes the snapshot bucket",
        opts,
    )
