"""GitHub Actions' way into Google Cloud: Workload Identity Federation and two service accounts.

- One pool and one OIDC provider for `https://token.actions.githubusercontent.com`. The provider accepts
  only this environment's audience (`deployer.oidc_audience()`: a token minted for staging is refused
  by prod) and only tokens of this repository, matched by the numeric `repository_id` and
  `repository_owner_id` (names can be re-registered after a rename or delete; ids cannot).
- `attribute.ci_role` is computed by Google from the verified token with the CEL expression rendered by
  `ci_role_expression`: `deployer` for the deploy workflow on the deploy branch, pushed or dispatched,
  in the deploy environment; `previewer` for the preview/drift workflows on their events; `none`
  otherwise, which the provider refuses outright. A principalSet names one attribute value, so the
  conjunction of ref, event, workflow and environment has to be one attribute for a binding to require
  all of them.
- `ci-deployer` (what `pulumi up` changes) and `ci-previewer` (what `pulumi preview`/`refresh` read),
  each impersonable only by its principalSet (authoritative binding: a member added out of band shows
  up as drift).

The identities are applied once by an operator with their own credentials (docs/bootstrap.md); from
then on CI maintains them, the deployer's project-IAM power limited by condition to the roles below.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.config import StackConfig
from infra.platform.gke import NODE_ROLE
from infra.platform.identity import account_email, account_member, account_resource_name, fixed_name
from infra.platform.kms import UnsealKey

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
POOL_ID = "github-actions"
PROVIDER_ID = "github"
DEPLOYER_ID = "ci-deployer"
PREVIEWER_ID = "ci-previewer"
ROLE_ATTRIBUTE = "ci_role"

# `pulumi up` of this program, by what it declares (apis.py, network.py, gke.py, kms.py, identity.py,
# bucket.py, alerting.py, infra/alarms, infra/cluster/injector/firewall.py, this file) and by the
# Kubernetes objects it applies through GKE. infra/platform/ci_permissions.py maps every declared type to
# the permissions it needs and tests/unit/platform/test_ci_permissions.py checks these grants cover them.
DEPLOYER_ROLES: dict[str, str] = {
    "roles/serviceusage.serviceUsageAdmin": "enables the APIs (apis.py)",
    "roles/compute.networkAdmin": "VPC, subnet, router, Cloud NAT, address (read-only on firewalls)",
    "roles/container.admin": "cluster, node pool, and every Kubernetes object incl. RBAC",
    "roles/iam.serviceAccountAdmin": "the workload and CI accounts and their Workload Identity bindings",
    "roles/iam.serviceAccountUser": "acts as the node account when creating the cluster and pool",
    # Not roleAdmin: with it the deployer could rewrite a custom role it may grant (ciLogMetricReader)
    # to hold any permission and then grant it (the condition below checks role names, not contents).
    # Custom roles are created and changed only by an operator's apply (docs/bootstrap.md).
    "roles/iam.roleViewer": "refresh of the custom roles (never a change)",
    "roles/iam.workloadIdentityPoolAdmin": "this pool and provider",
    "roles/storage.admin": "the snapshot bucket and its IAM",
    "roles/dns.admin": "the private zone for vault.address (issue 11's way in)",
    "roles/logging.configWriter": "the snapshot job's log-based metrics (alerting.py)",
    "roles/monitoring.alertPolicyEditor": "the alert policies",
    # alertPolicyEditor covers alert policies only: the channels have their own role.
    "roles/monitoring.notificationChannelEditor": "the alarm notification channels (infra/alarms)",
}
# The injector's webhook firewall rule: networkAdmin reads firewalls but cannot write them, and
# roles/compute.securityAdmin would add firewall *policies* and their IAM (setIamPolicy) on top.
FIREWALL_ADMIN_ID = "ciFirewallAdmin"
FIREWALL_ADMIN_PERMISSIONS = (
    "compute.firewalls.create",
    "compute.firewalls.delete",
    "compute.firewalls.get",
    "compute.firewalls.list",
    "compute.firewalls.update",
)
# Cloud KMS is granted on the unseal key and ring only, never at project scope (a project-wide KMS
# role would reach every key, the stack secrets key included). The ring and key are created once by
# the bootstrap apply; after that CI only updates the key and its IAM. No destroy permission: losing
# the unseal key makes every snapshot useless (hashicorp/vault#20039).
# setIamPolicy is there because the program declares the key's IAM members (the Vault server's unseal
# grant, the CI identities' own): the provider reads and rewrites the key's policy for each. The
# remaining risk, that a deployer token can grant any role on this key (to itself too), and what
# limits it: .github/CI.md, "What the deployer can still do".
UNSEAL_KEY_MANAGER_ID = "ciUnsealKeyManager"
UNSEAL_KEY_MANAGER_PERMISSIONS = (
    "cloudkms.cryptoKeys.get",
    "cloudkms.cryptoKeys.update",
    "cloudkms.cryptoKeys.getIamPolicy",
    "cloudkms.cryptoKeys.setIamPolicy",
    "cloudkms.cryptoKeyVersions.get",
    "cloudkms.cryptoKeyVersions.list",
)
# The ring's metadata, which a refresh reads; no key material, no use of any key.
KEY_RING_READER_ID = "ciKeyRingReader"
KEY_RING_READER_PERMISSIONS = ("cloudkms.keyRings.get", "cloudkms.keyRings.getIamPolicy")
# The previewer's refresh of the unseal key and of its three IAM members (the provider reads the key's
# policy for each): roles/cloudkms.viewer has get/list but not getIamPolicy, and iam.securityReviewer is
# held on the workload project only. Key-scoped, like the manager; no use, no write.
UNSEAL_KEY_READER_ID = "ciUnsealKeyReader"
UNSEAL_KEY_READER_PERMISSIONS = (
    "cloudkms.cryptoKeys.get",
    "cloudkms.cryptoKeys.getIamPolicy",
    "cloudkms.cryptoKeyVersions.list",
)
# The GKE DNS endpoint checks container.clusters.connect on every request. container.admin holds it
# (`container.*`); whether roles/container.viewer does is unverified (infra/platform/ci_permissions.py),
# so the previewer gets it from this one-permission role.
CLUSTER_CONNECT_ID = "ciClusterConnect"
CLUSTER_CONNECT_PERMISSIONS = ("container.clusters.connect",)
# Granted by an operator by hand on the KMS project (docs/bootstrap.md, "CI identities: the first
# apply"), not declared here: a project IAM member of the KMS project in the stack would need CI to hold
# setIamPolicy on the project that holds the unseal and stack secrets keys. A refresh reads the custom
# roles that live there (iam.roles.get); a grant on the workload project does not reach them.
# The snapshot bucket lives there too (bucket.py: the recovery project outlives the workload one), so
# the bucket roles the identities hold on the workload project are granted there as well.
KMS_PROJECT_ROLES: dict[str, tuple[str, ...]] = {
    DEPLOYER_ID: ("roles/iam.roleViewer", "roles/storage.admin"),
    PREVIEWER_ID: ("roles/iam.roleViewer", "roles/storage.bucketViewer", "roles/iam.securityReviewer"),
}


def operator_grants(cfg: StackConfig, account_id: str) -> dict[str, list[str]]:
    """What the operator grants `account_id` outside the program: role -> [`projects/<id>`]."""
    return {role: [f"projects/{cfg.kms_project()}"] for role in KMS_PROJECT_ROLES.get(account_id, ())}


PREVIEWER_ROLES: dict[str, str] = {
    "roles/iam.securityReviewer": "reads every IAM policy the stack declares (refresh of each grant)",
    "roles/serviceusage.serviceUsageViewer": "API states",
    "roles/compute.networkViewer": "VPC, subnet, router, NAT",
    "roles/container.viewer": "cluster, node pool and Kubernetes objects (not Secret values)",
    "roles/iam.roleViewer": "the custom roles",
    "roles/iam.workloadIdentityPoolViewer": "this pool and provider",
    "roles/storage.bucketViewer": "bucket metadata, never snapshot contents",
    "roles/dns.reader": "the private zone",
    "roles/monitoring.viewer": "the alert policies and notification channels",
}
# Log-based metric definitions, not log entries: roles/logging.viewer would also read every workload
# log, Vault's stdout audit log included.
LOG_METRIC_READER_ID = "ciLogMetricReader"
LOG_METRIC_READER_PERMISSIONS = ("logging.logMetrics.get", "logging.logMetrics.list")


def _cel(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid CEL string literal (double quotes, escapes)


def _in(field: str, values: list[str]) -> str:
    return f"assertion.{field} in [{', '.join(_cel(v) for v in values)}]"


def ci_role_expression(cfg: StackConfig) -> str:
    """CEL mapping a verified GitHub token to `deployer`, `previewer` or `none` (pure, tested)."""
    d, p = cfg.deployer, cfg.previewer
    deployer = " && ".join(
        [
            _in("event_name", list(d.events)),
            f"assertion.ref == {_cel(d.ref)}",
            f"assertion.job_workflow_ref == {_cel(d.workflow_ref())}",
            # `environment` is absent from jobs without one: `has` keeps the mapping from failing.
            f"has(assertion.environment) && assertion.environment == {_cel(d.environment)}",
        ]
    )
    if p.ref is None:
        # A PR's workflow runs from refs/pull/N/merge: the previewer binds the workflow file, any ref.
        workflows = " || ".join(
            f"assertion.job_workflow_ref.startsWith({_cel(f'{d.repository}/{w}@')})" for w in p.workflows
        )
        previewer = f"{_in('event_name', list(p.events))} && ({workflows})"
    else:
        # previewer.branch (prod): only the reviewed branch's workflows, so PR code never gets this
        # stack's state decrypt (the workflow file of a branch could be edited to run anything).
        files = [f"{d.repository}/{w}@{p.ref}" for w in p.workflows]
        previewer = " && ".join(
            [
                _in("event_name", list(p.events)),
                f"assertion.ref == {_cel(p.ref)}",
                _in("job_workflow_ref", files),
            ]
        )
    return f'({deployer}) ? "deployer" : (({previewer}) ? "previewer" : "none")'


def attribute_mapping(cfg: StackConfig) -> dict[str, str]:
    return {
        "google.subject": "assertion.sub",
        "attribute.repository_id": "assertion.repository_id",
        "attribute.repository_owner_id": "assertion.repository_owner_id",
        "attribute.ref": "assertion.ref",
        "attribute.event_name": "assertion.event_name",
        "attribute.job_workflow_ref": "assertion.job_workflow_ref",
        "attribute.environment": 'has(assertion.environment) ? assertion.environment : ""',
        f"attribute.{ROLE_ATTRIBUTE}": ci_role_expression(cfg),
    }


def attribute_condition(cfg: StackConfig) -> str:
    # GitHub sends the ids as strings. A token that maps to no CI role is refused at the exchange.
    d = cfg.deployer
    return (
        f"assertion.repository_id == {_cel(str(d.repository_id))} && "
        f"assertion.repository_owner_id == {_cel(str(d.repository_owner_id))} && "
        f'attribute.{ROLE_ATTRIBUTE} != "none"'
    )


def principal_set(project_number: int, pool_id: str, role: str) -> str:
    return (
        f"principalSet://iam.googleapis.com/projects/{project_number}/locations/global/"
        f"workloadIdentityPools/{pool_id}/attribute.{ROLE_ATTRIBUTE}/{role}"
    )


def provider_name(project_number: int, pool_id: str, provider_id: str) -> str:
    """What `google-github-actions/auth` takes as `workload_identity_provider`."""
    return (
        f"projects/{project_number}/locations/global/workloadIdentityPools/{pool_id}/providers/{provider_id}"
    )


def grantable_roles(*custom: str) -> list[str]:
    """The project-level roles this program grants: the only ones the deployer may grant or revoke."""
    return [NODE_ROLE, *DEPLOYER_ROLES, *PREVIEWER_ROLES, *custom]


def grantable_condition(roles: list[str]) -> str:
    # IAM's documented way to delegate role granting: the condition sees which roles a
    # setIamPolicy call adds or removes, so Owner (or anything unlisted) can never be granted.
    listed = ", ".join(_cel(r) for r in roles)
    return f"api.getAttribute('iam.googleapis.com/modifiedGrantsByRole', []).hasOnly([{listed}])"


@dataclass(frozen=True)
class CiIdentity:
    pool: gcp.iam.WorkloadIdentityPool
    provider: gcp.iam.WorkloadIdentityPoolProvider
    deployer: gcp.serviceaccount.Account
    previewer: gcp.serviceaccount.Account
    provider_name: pulumi.Output[str]
    deployer_email: pulumi.Output[str]
    previewer_email: pulumi.Output[str]


def _custom_role(
    name: str,
    project: str,
    role_id: str,
    title: str,
    permissions: tuple[str, ...],
    opts: pulumi.ResourceOptions,
) -> pulumi.Output[str]:
    role = gcp.projects.IAMCustomRole(
        name,
        project=project,
        role_id=role_id,
        title=title,
        permissions=list(permissions),
        stage="GA",
        opts=fixed_name(opts),
    )
    return role.role_id.apply(lambda r: f"projects/{project}/roles/{r}")


def _kms_grants(
    cfg: StackConfig,
    unseal: UnsealKey,
    deployer: gcp.serviceaccount.Account,
    previewer: gcp.serviceaccount.Account,
    opts: pulumi.ResourceOptions,
) -> None:
    # A project-level custom role can be granted only on that project's resources: these are granted
    # on the key ring and key, which live in the KMS project.
    project = cfg.kms_project()
    manager = _custom_role(
        "ci-unseal-key-manager",
        project,
        UNSEAL_KEY_MANAGER_ID,
        "CI: manage the unseal key (no destroy, no use)",
        UNSEAL_KEY_MANAGER_PERMISSIONS,
        opts,
    )
    ring_reader = _custom_role(
        "ci-key-ring-reader",
        project,
        KEY_RING_READER_ID,
        "CI: read the unseal key ring's metadata",
        KEY_RING_READER_PERMISSIONS,
        opts,
    )
    key_reader = _custom_role(
        "ci-unseal-key-reader",
        project,
        UNSEAL_KEY_READER_ID,
        "CI: read the unseal key's metadata and IAM policy (no use)",
        UNSEAL_KEY_READER_PERMISSIONS,
        opts,
    )
    for name, role, account in (
        (f"{DEPLOYER_ID}-unseal-key", manager, deployer),
        (f"{PREVIEWER_ID}-unseal-key", key_reader, previewer),
    ):
        gcp.kms.CryptoKeyIAMMember(
            name, crypto_key_id=unseal.crypto_key.id, role=role, member=account_member(account), opts=opts
        )
    for account_id, account in ((DEPLOYER_ID, deployer), (PREVIEWER_ID, previewer)):
        gcp.kms.KeyRingIAMMember(
            f"{account_id}-unseal-key-ring",
            key_ring_id=unseal.key_ring.id,
            role=ring_reader,
            member=account_member(account),
            opts=opts,
        )


def create_ci_identity(cfg: StackConfig, unseal: UnsealKey, opts: pulumi.ResourceOptions) -> CiIdentity:
    assert cfg.gcp is not None and cfg.gcp.project_number is not None
    project, number = cfg.gcp.project, cfg.gcp.project_number
    # Losing the pool or provider locks CI out (a deleted pool id stays reserved for 30 days): a change
    # that would replace them is refused by the engine instead.
    kept = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=True))
    pool = gcp.iam.WorkloadIdentityPool(
        "ci-pool",
        project=project,
        workload_identity_pool_id=POOL_ID,
        display_name="GitHub Actions",
        description=f"CI of {cfg.deployer.repository} (id {cfg.deployer.repository_id})",
        opts=kept,
    )
    provider = gcp.iam.WorkloadIdentityPoolProvider(
        "ci-provider",
        project=project,
        workload_identity_pool_id=pool.workload_identity_pool_id,
        workload_identity_pool_provider_id=PROVIDER_ID,
        display_name="GitHub Actions OIDC",
        attribute_mapping=attribute_mapping(cfg),
        attribute_condition=attribute_condition(cfg),
        oidc=gcp.iam.WorkloadIdentityPoolProviderOidcArgs(
            issuer_uri=GITHUB_ISSUER, allowed_audiences=[cfg.deployer.oidc_audience()]
        ),
        opts=kept,
    )
    accounts = {}
    for role, account_id, purpose in (
        ("deployer", DEPLOYER_ID, "CI deploy (pulumi up) from the deploy workflow on the deploy branch"),
        ("previewer", PREVIEWER_ID, "CI preview and drift (pulumi preview/refresh): read-only"),
    ):
        account = gcp.serviceaccount.Account(
            account_id,
            project=project,
            account_id=account_id,
            display_name=purpose,
            description=purpose,
            opts=fixed_name(opts),
        )
        gcp.serviceaccount.IAMBinding(
            f"{account_id}-federation",
            service_account_id=account_resource_name(account),
            role="roles/iam.workloadIdentityUser",
            members=[
                pool.workload_identity_pool_id.apply(functools.partial(principal_set, number, role=role))
            ],
            opts=opts,
        )
        accounts[role] = account

    deployer, previewer = accounts["deployer"], accounts["previewer"]
    log_metric_reader = _custom_role(
        "ci-log-metric-reader",
        project,
        LOG_METRIC_READER_ID,
        "CI: read log-based metric definitions (not log entries)",
        LOG_METRIC_READER_PERMISSIONS,
        opts,
    )
    firewall_admin = _custom_role(
        "ci-firewall-admin",
        project,
        FIREWALL_ADMIN_ID,
        "CI: VPC firewall rules (not firewall policies, no IAM)",
        FIREWALL_ADMIN_PERMISSIONS,
        opts,
    )
    cluster_connect = _custom_role(
        "ci-cluster-connect",
        project,
        CLUSTER_CONNECT_ID,
        "CI: reach the GKE control plane through its DNS endpoint",
        CLUSTER_CONNECT_PERMISSIONS,
        opts,
    )

    def grant(name: str, role: str | pulumi.Output[str], account: gcp.serviceaccount.Account) -> None:
        gcp.projects.IAMMember(name, project=project, role=role, member=account_member(account), opts=opts)

    def role_suffix(role: str) -> str:
        return role.removeprefix("roles/").replace(".", "-")

    grant(f"{DEPLOYER_ID}-firewall-admin", firewall_admin, deployer)
    for role in DEPLOYER_ROLES:
        grant(f"{DEPLOYER_ID}-{role_suffix(role)}", role, deployer)
    gcp.projects.IAMMember(
        f"{DEPLOYER_ID}-project-iam",
        project=project,
        role="roles/resourcemanager.projectIamAdmin",
        member=account_member(deployer),
        condition=gcp.projects.IAMMemberConditionArgs(
            title="only-the-programs-roles",
            description="Grant and revoke only the project roles this program itself grants.",
            # From the custom role's output: the condition names it, so it waits for the role.
            expression=pulumi.Output.all(log_metric_reader, firewall_admin, cluster_connect).apply(
                lambda custom: grantable_condition(grantable_roles(*custom))
            ),
        ),
        opts=opts,
    )
    for role in PREVIEWER_ROLES:
        grant(f"{PREVIEWER_ID}-{role_suffix(role)}", role, previewer)
    grant(f"{PREVIEWER_ID}-log-metrics", log_metric_reader, previewer)
    grant(f"{PREVIEWER_ID}-cluster-connect", cluster_connect, previewer)
    _kms_grants(cfg, unseal, deployer, previewer, opts)
    # The stack secrets key's IAM (ci-deployer encrypts and decrypts, ci-previewer decrypts) is granted by
    # the operator at bootstrap (docs/bootstrap.md), not here: managing it from the stack would need
    # getIamPolicy/setIamPolicy on the key that wraps every stack secret, i.e. a CI token that can grant
    # decrypt on it to anyone.
    return CiIdentity(
        pool,
        provider,
        deployer,
        previewer,
        pulumi.Output.all(pool.workload_identity_pool_id, provider.workload_identity_pool_provider_id).apply(
            lambda ids: provider_name(number, ids[0], ids[1])
        ),
        account_email(deployer),
        account_email(previewer),
    )
