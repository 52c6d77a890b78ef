"""Google service accounts the workloads act as, reached only through Workload Identity (no keys).

Emails are built from the account's own outputs (`accountId`, `project`) in Google's fixed format
`ID@PROJECT.iam.gserviceaccount.com`: every grant naming an account then waits for it (a config string
would let the grant race the account's creation), while the value stays known at preview (both are
inputs echoed back; `email` itself is computed, unknown until created), so policy rules can check it.
The Workload Identity member takes its pool from the GKE cluster's output for the same reason: the pool
`PROJECT.svc.id.goog` exists only once the cluster does. infra/ordering.py checks both.
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


def fixed_name(opts: pulumi.ResourceOptions) -> pulumi.ResourceOptions:
    """Options for a resource whose name is fixed (an account id, a role id, a metric name): a
    replacement deletes the old one first, since a create-before-delete would collide with it."""
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(delete_before_replace=True))


def service_account_email(project: str, account_id: str) -> str:
    return f"{account_id}@{project}.iam.gserviceaccount.com"


def service_account_name(project: str, account_id: str) -> str:
    """The `projects/.../serviceAccounts/EMAIL` form IAM bindings on a service account take."""
    return f"projects/{project}/serviceAccounts/{service_account_email(project, account_id)}"


def workload_identity_member(pool: str, namespace: str, kubernetes_sa: str) -> str:
    """The Google principal of a Kubernetes service account (`pool` is `PROJECT.svc.id.goog`)."""
    return f"serviceAccount:{pool}[{namespace}/{kubernetes_sa}]"


def account_email(account: gcp.serviceaccount.Account) -> pulumi.Output[str]:
    """The account's email from its outputs (known at preview, and waits for the account)."""
    return pulumi.Output.all(account.account_id, account.project).apply(
        lambda a: service_account_email(str(a[1]), str(a[0]))
    )


def account_resource_name(account: gcp.serviceaccount.Account) -> pulumi.Output[str]:
    """`projects/P/serviceAccounts/EMAIL`, what IAM bindings on the account take, from its outputs."""
    return pulumi.Output.all(account.account_id, account.project).apply(
        lambda a: service_account_name(str(a[1]), str(a[0]))
    )


def account_member(account: gcp.serviceaccount.Account) -> pulumi.Output[str]:
    return account_email(account).apply(lambda email: f"serviceAccount:{email}")


def cluster_workload_member(
    cluster: gcp.container.Cluster, namespace: str, kubernetes_sa: str
) -> pulumi.Output[str]:
    return cluster.workload_identity_config.apply(
        lambda wi: workload_identity_member(
            (wi.workload_pool if wi else None) or "", namespace, kubernetes_sa
        )
    )


@dataclass(frozen=True)
class WorkloadIdentity:
    account: gcp.serviceaccount.Account
    binding: gcp.serviceaccount.IAMMember
    email: pulumi.Output[str]


def _bound_account(
    name: str,
    cfg: StackConfig,
    cluster: gcp.container.Cluster,
    account_id: str,
    kubernetes_sa: str,
    purpose: str,
    opts: pulumi.ResourceOptions,
) -> WorkloadIdentity:
    assert cfg.gcp is not None
    project = cfg.gcp.project
    account = gcp.serviceaccount.Account(
        name,
        project=project,
        account_id=account_id,
        display_name=purpose,
        description=purpose,
        opts=fixed_name(opts),
    )
    # Only this one Kubernetes service account may act as the Google account: no keys are ever minted.
    binding = gcp.serviceaccount.IAMMember(
        f"{name}-workload-identity",
        service_account_id=account_resource_name(account),
        role="roles/iam.workloadIdentityUser",
        member=cluster_workload_member(cluster, cfg.cluster.namespace, kubernetes_sa),
        opts=opts,
    )
    return WorkloadIdentity(account, binding, account_email(account))


def vault_identity(
    cfg: StackConfig, cluster: gcp.container.Cluster, opts: pulumi.ResourceOptions
) -> WorkloadIdentity:
    return _bound_account(
        "vault-server",
        cfg,
        cluster,
        VAULT_GSA_ID,
        VAULT_SERVICE_ACCOUNT,
        "Vault server: KMS auto-unseal",
        opts,
    )


def snapshot_identity(
    cfg: StackConfig, cluster: gcp.container.Cluster, opts: pulumi.ResourceOptions
) -> WorkloadIdentity:
    return _bound_account(
        "vault-snapshot",
        cfg,
        cluster,
        SNAPSHOT_GSA_ID,
        SNAPSHOT_SERVICE_ACCOUNT,
        "Vault Raft snapshot job: writes the snapshot bucket",
        opts,
    )
