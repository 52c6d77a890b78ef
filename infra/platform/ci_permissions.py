"""What each declared resource type needs from the CI identities, and what their grants give them.

`tests/unit/platform/test_ci_permissions.py` runs the program, collects every grant the program (and
the operator's bootstrap) gives `ci-deployer` and `ci-previewer`, and checks: the deployer can create,
update and delete every declared type CI maintains and read (refresh) every type; the previewer can
read every type; a declared `gcp:` or `kubernetes:` type missing from the tables fails the test.

GCP: the permission each API method checks (the Terraform provider behind pulumi-gcp calls `get`
to refresh, `getIamPolicy` + `setIamPolicy` for every IAM member). Kubernetes: the GKE IAM permission
`container.<resource>.<verb>` that GKE maps each Kubernetes verb to, or, for the previewer's Secrets,
a Kubernetes RBAC `get` (infra/cluster/ci_access.py).

A project-level grant applies only to resources of the project it was made on: the unseal key ring, key
and their custom roles live in the KMS project (`kms.project`), everything else in the workload project,
so each resource is checked against the grants of its own project (`resource_project`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from infra.harness import DeclaredResource, unwrap

# The permissions of the predefined roles the CI identities hold, restricted to those this module
# checks (a role's full list is much longer). Source: Google's role definitions as `roles.get` returns
# them (the role pages under cloud.google.com/iam/docs/roles-permissions/<service>), read from the
# iann0036/iam-dataset snapshot of them (gcp/roles/<role>.json @2073fa5, 2026-08-22). A permission not
# listed here is treated as not held: only verified permissions count. `container.clusters.connect` (the
# DNS endpoint): roles/container.admin holds `container.*` on Google's GKE role page
# (cloud.google.com/iam/docs/roles-permissions/container); that roles/container.viewer holds it is
# unverified (the dataset's container.viewer.json @1818bc7 does not list it), so it is not listed there.
PREDEFINED_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "roles/cloudkms.cryptoKeyDecrypter": frozenset(
        {
            "cloudkms.cryptoKeyVersions.useToDecrypt",
        }
    ),
    "roles/cloudkms.cryptoKeyEncrypterDecrypter": frozenset(
        {
            "cloudkms.cryptoKeyVersions.useToDecrypt",
            "cloudkms.cryptoKeyVersions.useToEncrypt",
        }
    ),
    "roles/cloudkms.viewer": frozenset(
        {
            "cloudkms.cryptoKeys.get",
            "cloudkms.keyRings.get",
        }
    ),
    "roles/compute.networkAdmin": frozenset(
        {
            "compute.addresses.create",
            "compute.addresses.delete",
            "compute.addresses.get",
            "compute.firewalls.get",
            "compute.networks.create",
            "compute.networks.delete",
            "compute.networks.get",
            "compute.networks.update",
            "compute.networks.updatePolicy",
            "compute.routers.create",
            "compute.routers.delete",
            "compute.routers.get",
            "compute.routers.update",
            "compute.subnetworks.create",
            "compute.subnetworks.delete",
            "compute.subnetworks.get",
            "compute.subnetworks.update",
            "serviceusage.services.get",
            "serviceusage.services.list",
        }
    ),
    "roles/compute.networkViewer": frozenset(
        {
            "compute.addresses.get",
            "compute.firewalls.get",
            "compute.networks.get",
            "compute.routers.get",
            "compute.subnetworks.get",
            "serviceusage.services.get",
            "serviceusage.services.list",
        }
    ),
    "roles/container.admin": frozenset(
        {
            "container.clusterRoleBindings.create",
            "container.clusterRoleBindings.delete",
            "container.clusterRoleBindings.get",
            "container.clusterRoleBindings.update",
            "container.clusterRoles.create",
            "container.clusterRoles.delete",
            "container.clusterRoles.get",
            "container.clusterRoles.update",
            "container.clusters.connect",
            "container.clusters.create",
            "container.clusters.delete",
            "container.clusters.get",
            "container.clusters.update",
            "container.configMaps.create",
            "container.configMaps.delete",
            "container.configMaps.get",
            "container.configMaps.update",
            "container.cronJobs.create",
            "container.cronJobs.delete",
            "container.cronJobs.get",
            "container.cronJobs.update",
            "container.deployments.create",
            "container.deployments.delete",
            "container.deployments.get",
            "container.deployments.update",
            "container.mutatingWebhookConfigurations.create",
            "container.mutatingWebhookConfigurations.delete",
            "container.mutatingWebhookConfigurations.get",
            "container.mutatingWebhookConfigurations.update",
            "container.namespaces.create",
            "container.namespaces.delete",
            "container.namespaces.get",
            "container.namespaces.update",
            "container.networkPolicies.create",
            "container.networkPolicies.delete",
            "container.networkPolicies.get",
            "container.networkPolicies.update",
            "container.podDisruptionBudgets.create",
            "container.podDisruptionBudgets.delete",
            "container.podDisruptionBudgets.get",
            "container.podDisruptionBudgets.update",
            "container.roleBindings.create",
            "container.roleBindings.delete",
            "container.roleBindings.get",
            "container.roleBindings.update",
            "container.roles.bind",
            "container.roles.create",
            "container.roles.delete",
            "container.roles.escalate",
            "container.roles.get",
            "container.roles.update",
            "container.secrets.create",
            "container.secrets.delete",
            "container.secrets.get",
            "container.secrets.update",
            "container.serviceAccounts.create",
            "container.serviceAccounts.delete",
            "container.serviceAccounts.get",
            "container.serviceAccounts.update",
            "container.services.create",
            "container.services.delete",
            "container.services.get",
            "container.services.update",
            "container.statefulSets.create",
            "container.statefulSets.delete",
            "container.statefulSets.get",
            "container.statefulSets.update",
            "container.thirdPartyObjects.create",
            "container.thirdPartyObjects.delete",
            "container.thirdPartyObjects.get",
            "container.thirdPartyObjects.update",
        }
    ),
    "roles/container.viewer": frozenset(
        {
            "container.clusterRoleBindings.get",
            "container.clusterRoles.get",
            "container.clusters.get",
            "container.configMaps.get",
            "container.cronJobs.get",
            "container.deployments.get",
            "container.mutatingWebhookConfigurations.get",
            "container.namespaces.get",
            "container.networkPolicies.get",
            "container.podDisruptionBudgets.get",
            "container.roleBindings.get",
            "container.roles.get",
            "container.serviceAccounts.get",
            "container.services.get",
            "container.statefulSets.get",
            "container.thirdPartyObjects.get",
        }
    ),
    "roles/dns.admin": frozenset(
        {
            "compute.networks.get",
            "dns.changes.create",
            "dns.managedZones.create",
            "dns.managedZones.delete",
            "dns.managedZones.get",
            "dns.managedZones.update",
            "dns.networks.bindPrivateDNSZone",
            "dns.resourceRecordSets.create",
            "dns.resourceRecordSets.delete",
            "dns.resourceRecordSets.list",
            "dns.resourceRecordSets.update",
        }
    ),
    "roles/dns.reader": frozenset(
        {
            "compute.networks.get",
            "dns.managedZones.get",
            "dns.resourceRecordSets.list",
        }
    ),
    "roles/iam.roleAdmin": frozenset(
        {
            "iam.roles.create",
            "iam.roles.delete",
            "iam.roles.get",
            "iam.roles.update",
            "resourcemanager.projects.getIamPolicy",
        }
    ),
    "roles/iam.roleViewer": frozenset(
        {
            "iam.roles.get",
            "resourcemanager.projects.getIamPolicy",
        }
    ),
    "roles/iam.securityReviewer": frozenset(
        {
            "cloudkms.cryptoKeys.getIamPolicy",
            "cloudkms.keyRings.getIamPolicy",
            "dns.resourceRecordSets.list",
            "iam.roles.get",
            "iam.serviceAccounts.get",
            "iam.serviceAccounts.getIamPolicy",
            "resourcemanager.projects.getIamPolicy",
            "serviceusage.services.list",
            "storage.buckets.getIamPolicy",
        }
    ),
    "roles/iam.serviceAccountAdmin": frozenset(
        {
            "iam.serviceAccounts.create",
            "iam.serviceAccounts.delete",
            "iam.serviceAccounts.get",
            "iam.serviceAccounts.getIamPolicy",
            "iam.serviceAccounts.setIamPolicy",
            "iam.serviceAccounts.update",
        }
    ),
    "roles/iam.serviceAccountUser": frozenset(
        {
            "iam.serviceAccounts.actAs",
            "iam.serviceAccounts.get",
        }
    ),
    "roles/iam.workloadIdentityPoolAdmin": frozenset(
        {
            "iam.googleapis.com/workloadIdentityPoolProviders.create",
            "iam.googleapis.com/workloadIdentityPoolProviders.delete",
            "iam.googleapis.com/workloadIdentityPoolProviders.get",
            "iam.googleapis.com/workloadIdentityPoolProviders.update",
            "iam.googleapis.com/workloadIdentityPools.create",
            "iam.googleapis.com/workloadIdentityPools.delete",
            "iam.googleapis.com/workloadIdentityPools.get",
            "iam.googleapis.com/workloadIdentityPools.update",
        }
    ),
    "roles/iam.workloadIdentityPoolViewer": frozenset(
        {
            "iam.googleapis.com/workloadIdentityPoolProviders.get",
            "iam.googleapis.com/workloadIdentityPools.get",
        }
    ),
    "roles/logging.configWriter": frozenset(
        {
            "logging.logMetrics.create",
            "logging.logMetrics.delete",
            "logging.logMetrics.get",
            "logging.logMetrics.update",
        }
    ),
    "roles/monitoring.alertPolicyEditor": frozenset(
        {
            "monitoring.alertPolicies.create",
            "monitoring.alertPolicies.delete",
            "monitoring.alertPolicies.get",
            "monitoring.alertPolicies.update",
        }
    ),
    "roles/monitoring.notificationChannelEditor": frozenset(
        {
            "monitoring.notificationChannels.create",
            "monitoring.notificationChannels.delete",
            "monitoring.notificationChannels.get",
            "monitoring.notificationChannels.update",
        }
    ),
    "roles/monitoring.viewer": frozenset(
        {
            "monitoring.alertPolicies.get",
            "monitoring.notificationChannels.get",
        }
    ),
    "roles/resourcemanager.projectIamAdmin": frozenset(
        {
            "resourcemanager.projects.getIamPolicy",
            "resourcemanager.projects.setIamPolicy",
        }
    ),
    "roles/serviceusage.serviceUsageAdmin": frozenset(
        {
            "serviceusage.services.disable",
            "serviceusage.services.enable",
            "serviceusage.services.get",
            "serviceusage.services.list",
        }
    ),
    "roles/serviceusage.serviceUsageViewer": frozenset(
        {
            "serviceusage.services.get",
            "serviceusage.services.list",
        }
    ),
    "roles/storage.admin": frozenset(
        {
            "storage.buckets.create",
            "storage.buckets.delete",
            "storage.buckets.get",
            "storage.buckets.getIamPolicy",
            "storage.buckets.setIamPolicy",
            "storage.buckets.update",
            "storage.objects.get",
        }
    ),
    "roles/storage.bucketViewer": frozenset(
        {
            "storage.buckets.get",
        }
    ),
    "roles/subsets": frozenset({}),
}


@dataclass(frozen=True)
class Need:
    """`read`: what a refresh/preview calls; `write`: what create/update/delete call. An empty `write`
    means CI never writes the type: the operator's bootstrap apply creates it and changes go through an
    operator (docs/bootstrap.md, "Changing what CI may do")."""

    read: tuple[str, ...]
    write: tuple[str, ...] = ()
    # The input naming the resource a grant must be on (key/ring IAM); None: project-level grants.
    scope_input: str | None = None


GCP_NEEDS: dict[str, Need] = {
    "gcp:projects/service:Service": Need(
        read=("serviceusage.services.get", "serviceusage.services.list"),
        write=("serviceusage.services.enable", "serviceusage.services.disable"),
    ),
    "gcp:compute/network:Network": Need(
        read=("compute.networks.get",),
        write=("compute.networks.create", "compute.networks.update", "compute.networks.delete"),
    ),
    "gcp:compute/subnetwork:Subnetwork": Need(
        read=("compute.subnetworks.get",),
        write=("compute.subnetworks.create", "compute.subnetworks.update", "compute.subnetworks.delete"),
    ),
    "gcp:compute/router:Router": Need(
        read=("compute.routers.get",),
        write=("compute.routers.create", "compute.routers.update", "compute.routers.delete"),
    ),
    "gcp:compute/routerNat:RouterNat": Need(read=("compute.routers.get",), write=("compute.routers.update",)),
    "gcp:compute/address:Address": Need(
        read=("compute.addresses.get",), write=("compute.addresses.create", "compute.addresses.delete")
    ),
    "gcp:compute/firewall:Firewall": Need(
        read=("compute.firewalls.get",),
        write=(
            "compute.firewalls.create",
            "compute.firewalls.update",
            "compute.firewalls.delete",
            "compute.networks.updatePolicy",
        ),
    ),
    "gcp:container/cluster:Cluster": Need(
        read=("container.clusters.get",),
        write=(
            "container.clusters.create",
            "container.clusters.update",
            "container.clusters.delete",
            "iam.serviceAccounts.actAs",
        ),
    ),
    "gcp:container/nodePool:NodePool": Need(
        read=("container.clusters.get",), write=("container.clusters.update", "iam.serviceAccounts.actAs")
    ),
    "gcp:dns/managedZone:ManagedZone": Need(
        read=("dns.managedZones.get",),
        write=(
            "dns.managedZones.create",
            "dns.managedZones.update",
            "dns.managedZones.delete",
            "dns.networks.bindPrivateDNSZone",
        ),
    ),
    "gcp:dns/recordSet:RecordSet": Need(
        read=("dns.resourceRecordSets.list",),
        write=(
            "dns.resourceRecordSets.create",
            "dns.resourceRecordSets.update",
            "dns.resourceRecordSets.delete",
            "dns.changes.create",
        ),
    ),
    "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": Need(
        read=("iam.googleapis.com/workloadIdentityPools.get",),
        write=(
            "iam.googleapis.com/workloadIdentityPools.create",
            "iam.googleapis.com/workloadIdentityPools.update",
            "iam.googleapis.com/workloadIdentityPools.delete",
        ),
    ),
    "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": Need(
        read=("iam.googleapis.com/workloadIdentityPoolProviders.get",),
        write=(
            "iam.googleapis.com/workloadIdentityPoolProviders.create",
            "iam.googleapis.com/workloadIdentityPoolProviders.update",
            "iam.googleapis.com/workloadIdentityPoolProviders.delete",
        ),
    ),
    "gcp:kms/keyRing:KeyRing": Need(read=("cloudkms.keyRings.get",)),
    "gcp:kms/cryptoKey:CryptoKey": Need(
        read=("cloudkms.cryptoKeys.get",), write=("cloudkms.cryptoKeys.update",)
    ),
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": Need(
        read=("cloudkms.cryptoKeys.getIamPolicy",),
        write=("cloudkms.cryptoKeys.setIamPolicy",),
        scope_input="cryptoKeyId",
    ),
    "gcp:kms/keyRingIAMMember:KeyRingIAMMember": Need(
        read=("cloudkms.keyRings.getIamPolicy",), scope_input="keyRingId"
    ),
    "gcp:logging/metric:Metric": Need(
        read=("logging.logMetrics.get",),
        write=("logging.logMetrics.create", "logging.logMetrics.update", "logging.logMetrics.delete"),
    ),
    "gcp:monitoring/alertPolicy:AlertPolicy": Need(
        read=("monitoring.alertPolicies.get",),
        write=(
            "monitoring.alertPolicies.create",
            "monitoring.alertPolicies.update",
            "monitoring.alertPolicies.delete",
        ),
    ),
    "gcp:monitoring/notificationChannel:NotificationChannel": Need(
        read=("monitoring.notificationChannels.get",),
        write=(
            "monitoring.notificationChannels.create",
            "monitoring.notificationChannels.update",
            "monitoring.notificationChannels.delete",
        ),
    ),
    "gcp:projects/iAMCustomRole:IAMCustomRole": Need(read=("iam.roles.get",)),
    "gcp:projects/iAMMember:IAMMember": Need(
        read=("resourcemanager.projects.getIamPolicy",), write=("resourcemanager.projects.setIamPolicy",)
    ),
    "gcp:serviceaccount/account:Account": Need(
        read=("iam.serviceAccounts.get",),
        write=("iam.serviceAccounts.create", "iam.serviceAccounts.update", "iam.serviceAccounts.delete"),
    ),
    "gcp:serviceaccount/iAMBinding:IAMBinding": Need(
        read=("iam.serviceAccounts.getIamPolicy",), write=("iam.serviceAccounts.setIamPolicy",)
    ),
    "gcp:serviceaccount/iAMMember:IAMMember": Need(
        read=("iam.serviceAccounts.getIamPolicy",), write=("iam.serviceAccounts.setIamPolicy",)
    ),
    "gcp:storage/bucket:Bucket": Need(
        read=("storage.buckets.get",),
        write=("storage.buckets.create", "storage.buckets.update", "storage.buckets.delete"),
    ),
    "gcp:storage/bucketIAMMember:BucketIAMMember": Need(
        read=("storage.buckets.getIamPolicy",), write=("storage.buckets.setIamPolicy",)
    ),
}

# Kubernetes kind -> the resource GKE names in its IAM permissions (custom resources, e.g. GMP's
# PodMonitoring and Rules, are `thirdPartyObjects`).
K8S_RESOURCES: dict[str, str] = {
    "kubernetes:core/v1:Namespace": "namespaces",
    "kubernetes:core/v1:Secret": "secrets",  # pragma: allowlist secret (a kind)
    "kubernetes:core/v1:ConfigMap": "configMaps",
    "kubernetes:core/v1:Service": "services",
    "kubernetes:core/v1:ServiceAccount": "serviceAccounts",
    "kubernetes:apps/v1:StatefulSet": "statefulSets",
    "kubernetes:apps/v1:Deployment": "deployments",
    "kubernetes:batch/v1:CronJob": "cronJobs",
    "kubernetes:policy/v1:PodDisruptionBudget": "podDisruptionBudgets",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": "networkPolicies",
    "kubernetes:rbac.authorization.k8s.io/v1:Role": "roles",
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": "roleBindings",
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole": "clusterRoles",
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": "clusterRoleBindings",
    "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration": "mutatingWebhookConfigurations",
    "kubernetes:monitoring.googleapis.com/v1:PodMonitoring": "thirdPartyObjects",
    "kubernetes:monitoring.googleapis.com/v1:Rules": "thirdPartyObjects",
}
# RBAC: creating a (Cluster)Role that grants what the creator does not hold, or binding one, needs these.
K8S_RBAC_WRITE = ("container.roles.escalate", "container.roles.bind")
# The GKE DNS endpoint (the only way CI reaches the control plane) authorizes every request with this
# IAM permission on the cluster's project before Kubernetes RBAC sees it.
K8S_CONNECT = "container.clusters.connect"

# Declared types no cloud IAM governs, and why.
EXEMPT_PREFIXES: dict[str, str] = {
    "tls:": "computed locally by the tls provider, no API",
    "vault:": "Vault objects: the deployer/previewer Vault policies (tests/unit/vault) cover them",
    "vault-platform:": "component resources, nothing is called",
    "pulumi:providers:": "provider configuration, nothing is called",
}


@dataclass
class Holdings:
    """An identity's GCP permissions: per project (project id -> permissions granted on that project),
    and per resource (a KMS key or ring id); its Kubernetes RBAC `get` grants: namespace -> Secret
    names."""

    project: dict[str, set[str]] = field(default_factory=dict)
    scoped: dict[str, set[str]] = field(default_factory=dict)
    rbac_get: dict[str, set[str]] = field(default_factory=dict)

    def everywhere(self) -> set[str]:
        """Every permission held on any project or resource (for what an identity can never do)."""
        return set().union(*self.project.values(), *self.scoped.values())


def _member_of(resource: DeclaredResource) -> str:
    return str(unwrap(resource.inputs.get("member", "")))


def _role_permissions(role: str, custom: dict[str, set[str]]) -> set[str]:
    if role in PREDEFINED_ROLE_PERMISSIONS:
        return set(PREDEFINED_ROLE_PERMISSIONS[role])
    return set(custom.get(role.rsplit("/", 1)[-1], set()))


def holdings(
    declared: Iterable[DeclaredResource], email: str, outside: dict[str, Iterable[str]] | None = None
) -> Holdings:
    """What `serviceAccount:<email>` holds from the declared grants, plus `outside`: role -> where the
    operator granted it outside the program, each `projects/<id>` (that project) or a KMS key or ring
    id."""
    declared = list(declared)
    custom = {
        str(unwrap(r.inputs["roleId"])): set(unwrap(r.inputs["permissions"]))
        for r in declared
        if r.type == "gcp:projects/iAMCustomRole:IAMCustomRole"
    }
    member = f"serviceAccount:{email}"
    held = Holdings()
    for r in declared:
        if "IAMMember" not in r.type or _member_of(r) != member:
            continue
        perms = _role_permissions(str(unwrap(r.inputs["role"])), custom)
        if r.type == "gcp:projects/iAMMember:IAMMember":
            held.project.setdefault(str(unwrap(r.inputs["project"])), set()).update(perms)
        elif "cryptoKeyId" in r.inputs:
            held.scoped.setdefault(str(unwrap(r.inputs["cryptoKeyId"])), set()).update(perms)
        elif "keyRingId" in r.inputs:
            held.scoped.setdefault(str(unwrap(r.inputs["keyRingId"])), set()).update(perms)
    for role, scope in (outside or {}).items():
        perms = _role_permissions(role, custom)
        for where in [scope] if isinstance(scope, str) else scope:
            if where.startswith("projects/"):
                held.project.setdefault(where.removeprefix("projects/"), set()).update(perms)
            else:
                held.scoped.setdefault(where, set()).update(perms)
    held.rbac_get = _rbac_secret_gets(declared, email)
    return held


def _rbac_secret_gets(declared: list[DeclaredResource], email: str) -> dict[str, set[str]]:
    """Namespace -> the Secret names the declared Roles bound to User `email` may GET."""
    roles = {
        (r.inputs["metadata"]["namespace"], r.inputs["metadata"]["name"]): r.inputs.get("rules") or []
        for r in declared
        if r.type == "kubernetes:rbac.authorization.k8s.io/v1:Role"
    }
    gets: dict[str, set[str]] = {}
    for r in declared:
        if r.type != "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding":
            continue
        subjects = unwrap(r.inputs.get("subjects")) or []
        if not any(s.get("kind") == "User" and s.get("name") == email for s in subjects):
            continue
        namespace = r.inputs["metadata"]["namespace"]
        for rule in roles.get((namespace, unwrap(r.inputs["roleRef"])["name"]), []):
            if "get" in rule.get("verbs", []) and "secrets" in rule.get("resources", []):
                gets.setdefault(namespace, set()).update(rule.get("resourceNames") or ["*"])
    return gets


def _scopes(resource: DeclaredResource, declared: list[DeclaredResource]) -> list[str]:
    """The resource ids whose IAM applies to `resource` (besides the project's): a key and its ring."""
    need = GCP_NEEDS.get(resource.type)
    if need is None:
        return []
    if need.scope_input:
        target = str(unwrap(resource.inputs[need.scope_input]))
    elif resource.type in ("gcp:kms/cryptoKey:CryptoKey", "gcp:kms/keyRing:KeyRing"):
        target = f"{resource.name}-id"  # the harness's mock id
    else:
        return []
    ids = [target]
    for key in declared:  # a key inherits its ring's IAM
        if key.type == "gcp:kms/cryptoKey:CryptoKey" and f"{key.name}-id" == target:
            ids.append(str(unwrap(key.inputs["keyRing"])))
    return ids


def _by_mock_id(declared: list[DeclaredResource], type_: str, resource_id: str) -> DeclaredResource | None:
    return next((r for r in declared if r.type == type_ and f"{r.name}-id" == resource_id), None)


def resource_project(resource: DeclaredResource, declared: list[DeclaredResource]) -> str | None:
    """The project whose project-level grants apply to `resource`: its `project` input; for a KMS key
    and the key's or ring's IAM members, the ring's (the KMS project); for a service account's IAM, the
    account's; for a bucket's IAM, the bucket's; for a Kubernetes object, the cluster's. None when it
    cannot be told: then no project-level grant counts (a gap, never a false pass)."""
    if resource.type.startswith("kubernetes:"):
        clusters = [r for r in declared if r.type == "gcp:container/cluster:Cluster"]
        return resource_project(clusters[0], declared) if len(clusters) == 1 else None
    if "project" in resource.inputs:
        return str(unwrap(resource.inputs["project"]))
    inputs = resource.inputs
    if resource.type == "gcp:kms/cryptoKey:CryptoKey":
        ring = _by_mock_id(declared, "gcp:kms/keyRing:KeyRing", str(unwrap(inputs["keyRing"])))
        return resource_project(ring, declared) if ring else None
    if "cryptoKeyId" in inputs:
        key = _by_mock_id(declared, "gcp:kms/cryptoKey:CryptoKey", str(unwrap(inputs["cryptoKeyId"])))
        return resource_project(key, declared) if key else None
    if "keyRingId" in inputs:
        ring = _by_mock_id(declared, "gcp:kms/keyRing:KeyRing", str(unwrap(inputs["keyRingId"])))
        return resource_project(ring, declared) if ring else None
    if "serviceAccountId" in inputs:  # projects/<project>/serviceAccounts/<email>
        parts = str(unwrap(inputs["serviceAccountId"])).split("/")
        return parts[1] if len(parts) == 4 and parts[0] == "projects" else None
    if resource.type == "gcp:storage/bucketIAMMember:BucketIAMMember":
        name = str(unwrap(inputs["bucket"]))
        bucket = next(
            (
                r
                for r in declared
                if r.type == "gcp:storage/bucket:Bucket" and unwrap(r.inputs["name"]) == name
            ),
            None,
        )
        return resource_project(bucket, declared) if bucket else None
    return None


def missing(
    resource: DeclaredResource, declared: list[DeclaredResource], held: Holdings, write: bool
) -> list[str]:
    """The permissions `held` lacks to read (and, with `write`, to create/update/delete) `resource`."""
    project = set(held.project.get(resource_project(resource, declared) or "", set()))
    if resource.type.startswith("gcp:"):
        need = GCP_NEEDS[resource.type]
        perms = project
        for scope in _scopes(resource, declared):
            perms |= held.scoped.get(scope, set())
        wanted = [*need.read, *(need.write if write else ())]
        return [p for p in wanted if p not in perms]
    if resource.type.startswith("kubernetes:"):
        plural = K8S_RESOURCES[resource.type]
        verbs = ["get", "create", "update", "delete"] if write else ["get"]
        # Every Kubernetes call goes through the cluster's DNS endpoint, which first checks this.
        wanted = [K8S_CONNECT, *(f"container.{plural}.{v}" for v in verbs)]
        if write and plural in ("roles", "roleBindings", "clusterRoles", "clusterRoleBindings"):
            wanted += K8S_RBAC_WRITE
        lacking = [p for p in wanted if p not in project]
        metadata = resource.inputs.get("metadata") or {}
        names = held.rbac_get.get(metadata.get("namespace", ""), set())
        if "container.secrets.get" in lacking and ({"*", metadata.get("name")} & names):
            lacking.remove("container.secrets.get")  # RBAC `get` on exactly this Secret
        return lacking
    return []


def unmapped(types: Iterable[str]) -> list[str]:
    """Declared types neither table knows (nor exempted): each needs its row before it can land."""
    return sorted(
        t
        for t in set(types)
        if t not in GCP_NEEDS and t not in K8S_RESOURCES and not t.startswith(tuple(EXEMPT_PREFIXES))
    )
