"""Which input changes make the engine replace a resource instead of updating it: one table, by type.

`vaultctl plan --against` reads this to say "replace" where `pulumi preview` would, without a provider.
Each entry names the provider source that decides it (ForceNew / RequiresReplace in the Terraform
providers pulumi-vault, pulumi-gcp and pulumi-tls wrap). Kubernetes kinds come from
`infra/cluster/immutable.py` (pulumi-kubernetes' own `forceNew` table), with the provider flags that
make a ConfigMap's or Secret's content mutable applied here. Field paths are the program's input names (camelCase, as the engine
receives them); a change at or below a listed path forces the replacement. A type missing here is
assumed to update in place; the resource's own `replace_on_changes` option is honoured on top.

Add a row when the program declares a new type; `tests/unit/test_replacements.py` fails on a declared
custom type with no row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from infra.cluster.immutable import RUNBOOKS, replacing_fields

EVERY_INPUT = "*"


@dataclass(frozen=True)
class Immutable:
    fields: tuple[str, ...]
    source: str
    # Replacement only when the resource's own input has this value (e.g. a mount with remounting off).
    when_input: tuple[str, Any] | None = None
    # The provider input that makes these fields updatable in place when true (pulumi-kubernetes).
    unless_provider_input: str = ""


_TFV = "hashicorp/terraform-provider-vault vault/"
_TFG = "hashicorp/terraform-provider-google google/services/"
_TLS = "hashicorp/terraform-provider-tls internal/provider/"
_K8S = "infra/cluster/immutable.py (pulumi/pulumi-kubernetes provider/pkg/provider/diff.go)"
_NOT_MOUNT = "mount path changes remount in place (Vault >= 1.10) unless disable_remount"


def _vault_mount(source: str, *fields: str) -> tuple[Immutable, ...]:
    return (
        Immutable(fields, _TFV + source),
        # getMountCustomizeDiffFunc: a path change is a remount, a replacement only with remounting off.
        Immutable(("path",), _TFV + source + " (" + _NOT_MOUNT + ")", when_input=("disableRemount", True)),
    )


TABLE: Mapping[str, tuple[Immutable, ...]] = {
    # --- Vault (pulumi-vault wraps terraform-provider-vault) ---
    "vault:index/mount:Mount": _vault_mount(
        "resource_mount.go", "type", "local", "sealWrap", "externalEntropyAccess"
    ),
    "vault:index/authBackend:AuthBackend": _vault_mount("resource_auth_backend.go", "type", "local"),
    "vault:jwt/authBackend:AuthBackend": _vault_mount("resource_jwt_auth_backend.go", "type", "local"),
    "vault:aws/secretBackend:SecretBackend": _vault_mount("resource_aws_secret_backend.go", "local"),
    "vault:index/policy:Policy": (Immutable(("name",), _TFV + "resource_policy.go"),),
    "vault:index/audit:Audit": (
        Immutable(("path", "type", "description", "local", "options"), _TFV + "resource_audit.go"),
    ),
    "vault:identity/entity:Entity": (),
    "vault:identity/entityAlias:EntityAlias": (
        Immutable(("externalId", "issuer"), _TFV + "resource_identity_entity_alias.go"),
    ),
    "vault:identity/group:Group": (Immutable(("type",), _TFV + "resource_identity_group.go"),),
    "vault:identity/groupAlias:GroupAlias": (),
    # internal/identity/mfa: nothing ForceNew (a login enforcement's name is not, though it is its id).
    "vault:identity/mfaTotp:MfaTotp": (),
    "vault:identity/mfaLoginEnforcement:MfaLoginEnforcement": (),
    "vault:jwt/authBackendRole:AuthBackendRole": (
        Immutable(("roleName", "roleType", "backend"), _TFV + "resource_jwt_auth_backend_role.go"),
    ),
    "vault:kubernetes/authBackendRole:AuthBackendRole": (
        Immutable(("roleName", "backend"), _TFV + "resource_kubernetes_auth_backend_role.go"),
    ),
    "vault:kubernetes/authBackendConfig:AuthBackendConfig": (
        Immutable(("backend",), _TFV + "resource_kubernetes_auth_backend_config.go"),
    ),
    "vault:database/secretBackendConnection:SecretBackendConnection": (
        Immutable(("backend",), _TFV + "resource_database_secret_backend_connection.go"),
    ),
    "vault:database/secretBackendRole:SecretBackendRole": (
        Immutable(("name", "backend", "dbName"), _TFV + "resource_database_secret_backend_role.go"),
    ),
    "vault:database/secretBackendStaticRole:SecretBackendStaticRole": (
        Immutable(
            ("name", "backend", "username", "dbName"),
            _TFV + "resource_database_secret_backend_static_role.go",
        ),
    ),
    "vault:transit/secretBackendKey:SecretBackendKey": (
        Immutable(
            (
                "backend",
                "name",
                "type",
                "convergentEncryption",
                "derived",
                "context",
                "managedKeyName",
                "managedKeyId",
            ),
            _TFV + "resource_transit_secret_backend_key.go",
        ),
    ),
    "vault:aws/secretBackendRole:SecretBackendRole": (
        Immutable(("name", "backend", "roleArns"), _TFV + "resource_aws_secret_backend_role.go"),
    ),
    "vault:generic/endpoint:Endpoint": (Immutable(("path",), _TFV + "resource_generic_endpoint.go"),),
    "vault:index/plugin:Plugin": (Immutable(("type", "name", "version"), _TFV + "resource_plugin.go"),),
    "vault:index/quotaRateLimit:QuotaRateLimit": (
        Immutable(("name", "path"), _TFV + "resource_quota_rate_limit.go"),
    ),
    "vault:kv/secretBackendV2:SecretBackendV2": (
        Immutable(("mount",), _TFV + "resource_kv_secret_backend_v2.go"),
    ),
    # --- Google Cloud (pulumi-gcp wraps terraform-provider-google) ---
    "gcp:container/cluster:Cluster": (
        Immutable(
            (
                "name",
                "location",
                "project",
                "network",
                "subnetwork",
                "networkingMode",
                "ipAllocationPolicy",
                "clusterIpv4Cidr",
                "initialNodeCount",
                "nodePools",
                "enableAutopilot",
                "enableKubernetesAlpha",
                "enableTpu",
                "datapathProvider",
                "defaultMaxPodsPerNode",
                "confidentialNodes",
                "description",
                "privateClusterConfig.masterIpv4CidrBlock",
                "privateClusterConfig.privateEndpointSubnetwork",
            ),
            _TFG + "container/resource_container_cluster.go",
        ),
    ),
    "gcp:container/nodePool:NodePool": (
        Immutable(
            (
                "cluster",
                "location",
                "project",
                "name",
                "namePrefix",
                "initialNodeCount",
                "maxPodsPerNode",
                "placementPolicy",
                "queuedProvisioning",
            ),
            _TFG + "container/resource_container_node_pool.go",
        ),
    ),
    "gcp:kms/keyRing:KeyRing": (
        Immutable(("name", "location", "project"), _TFG + "kms/resource_kms_key_ring.go"),
    ),
    "gcp:kms/cryptoKey:CryptoKey": (
        Immutable(
            (
                "name",
                "keyRing",
                "purpose",
                "importOnly",
                "destroyScheduledDuration",
                "cryptoKeyBackend",
                "versionTemplate.protectionLevel",
            ),
            _TFG + "kms/resource_kms_crypto_key.go",
        ),
    ),
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": (
        Immutable(("cryptoKeyId", "role", "member", "condition"), _TFG + "kms/iam_kms_crypto_key.go"),
    ),
    "gcp:kms/keyRingIAMMember:KeyRingIAMMember": (
        Immutable(("keyRingId", "role", "member", "condition"), _TFG + "kms/iam_kms_key_ring.go"),
    ),
    "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": (
        Immutable(
            ("workloadIdentityPoolId", "project"), _TFG + "iambeta/resource_iam_workload_identity_pool.go"
        ),
    ),
    "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": (
        Immutable(
            ("workloadIdentityPoolId", "workloadIdentityPoolProviderId", "project"),
            _TFG + "iambeta/resource_iam_workload_identity_pool_provider.go",
        ),
    ),
    "gcp:logging/metric:Metric": (
        Immutable(
            ("project", "metricDescriptor.labels.key", "metricDescriptor.labels.valueType"),
            _TFG + "logging/resource_logging_metric.go",
        ),
    ),
    "gcp:monitoring/alertPolicy:AlertPolicy": (
        Immutable(("project",), _TFG + "monitoring/resource_monitoring_alert_policy.go"),
    ),
    "gcp:monitoring/notificationChannel:NotificationChannel": (
        Immutable(("project",), _TFG + "monitoring/resource_monitoring_notification_channel.go"),
    ),
    "gcp:compute/firewall:Firewall": (
        Immutable(("name", "direction", "project"), _TFG + "compute/resource_compute_firewall.go"),
    ),
    "gcp:compute/network:Network": (
        Immutable(
            (
                "name",
                "project",
                "autoCreateSubnetworks",
                "description",
                "internalIpv6Range",
                "networkProfile",
            ),
            _TFG + "compute/resource_compute_network.go",
        ),
    ),
    "gcp:compute/subnetwork:Subnetwork": (
        Immutable(
            ("name", "network", "region", "project", "description", "reservedInternalRange"),
            _TFG + "compute/resource_compute_subnetwork.go",
        ),
    ),
    "gcp:compute/router:Router": (
        Immutable(
            ("name", "network", "region", "project", "encryptedInterconnectRouter", "nccGateway"),
            _TFG + "compute/resource_compute_router.go",
        ),
    ),
    "gcp:compute/routerNat:RouterNat": (
        Immutable(
            ("name", "router", "region", "project", "type", "endpointTypes", "initialNatIps"),
            _TFG + "compute/resource_compute_router_nat.go",
        ),
    ),
    "gcp:compute/address:Address": (
        Immutable(
            (
                "name",
                "address",
                "addressType",
                "description",
                "ipVersion",
                "network",
                "networkTier",
                "prefixLength",
                "project",
                "purpose",
                "region",
                "subnetwork",
            ),
            _TFG + "compute/resource_compute_address.go",
        ),
    ),
    "gcp:dns/managedZone:ManagedZone": (
        Immutable(("name", "dnsName", "project", "visibility"), _TFG + "dns/resource_dns_managed_zone.go"),
    ),
    "gcp:dns/recordSet:RecordSet": (
        Immutable(("managedZone", "name", "project"), _TFG + "dns/resource_dns_record_set.go"),
    ),
    "gcp:storage/bucket:Bucket": (
        Immutable(
            ("name", "location", "project", "enableObjectRetention", "hierarchicalNamespace"),
            _TFG + "storage/resource_storage_bucket.go",
        ),
    ),
    "gcp:storage/bucketIAMMember:BucketIAMMember": (
        Immutable(("bucket", "role", "member", "condition"), _TFG + "storage/iam_storage_bucket.go"),
    ),
    "gcp:serviceaccount/account:Account": (
        Immutable(("accountId", "project"), _TFG + "resourcemanager/resource_google_service_account.go"),
    ),
    "gcp:serviceaccount/iAMMember:IAMMember": (
        Immutable(
            ("serviceAccountId", "role", "member", "condition"),
            _TFG + "resourcemanager/iam_service_account.go",
        ),
    ),
    "gcp:serviceaccount/iAMBinding:IAMBinding": (
        Immutable(("serviceAccountId", "role", "condition"), _TFG + "resourcemanager/iam_service_account.go"),
    ),
    "gcp:projects/iAMMember:IAMMember": (
        Immutable(("project", "role", "member", "condition"), _TFG + "resourcemanager/iam_project.go"),
    ),
    "gcp:projects/iAMCustomRole:IAMCustomRole": (
        Immutable(("roleId", "project"), _TFG + "resourcemanager/resource_google_project_iam_custom_role.go"),
    ),
    "gcp:projects/service:Service": (
        Immutable(("service", "project"), _TFG + "resourcemanager/resource_google_project_service.go"),
    ),
    # --- TLS (pulumi-tls wraps terraform-provider-tls: almost every input RequiresReplace) ---
    "tls:index/privateKey:PrivateKey": (
        Immutable(("algorithm", "rsaBits", "ecdsaCurve"), _TLS + "resource_private_key.go"),
    ),
    "tls:index/selfSignedCert:SelfSignedCert": (
        Immutable(
            (
                "privateKeyPem",
                "validityPeriodHours",
                "allowedUses",
                "dnsNames",
                "ipAddresses",
                "uris",
                "isCaCertificate",
                "maxPathLength",
                "setSubjectKeyId",
                "setAuthorityKeyId",
                "subject",
            ),
            _TLS + "resource_self_signed_cert.go",
        ),
    ),
    "tls:index/certRequest:CertRequest": (
        Immutable(
            ("privateKeyPem", "dnsNames", "ipAddresses", "uris", "subject"), _TLS + "resource_cert_request.go"
        ),
    ),
    "tls:index/locallySignedCert:LocallySignedCert": (
        Immutable(
            (
                "caCertPem",
                "caPrivateKeyPem",
                "certRequestPem",
                "validityPeriodHours",
                "allowedUses",
                "isCaCertificate",
                "maxPathLength",
                "setSubjectKeyId",
            ),
            _TLS + "resource_locally_signed_cert.go",
        ),
    ),
}


# pulumi-kubernetes replaces a ConfigMap or Secret whose content changes unless its provider sets the
# (beta) flag that makes that content mutable (diff.go, forceNewProperties).
_K8S_MUTABLE_WITH = {
    "kubernetes:core/v1:ConfigMap": ("enableConfigMapMutable", ("data", "binaryData")),
    "kubernetes:core/v1:Secret": ("enableSecretMutable", ("data", "stringData")),
}


def _kubernetes(type_token: str) -> tuple[Immutable, ...]:
    """Kubernetes kinds come from the cluster layer's table, the one place that lists them."""
    fields = replacing_fields(type_token)
    flag, flagged = _K8S_MUTABLE_WITH.get(type_token, ("", ()))
    rules = [Immutable(tuple(f for f in fields if f not in flagged), _K8S)]
    if flagged:
        rules.append(Immutable(tuple(f for f in fields if f in flagged), _K8S, unless_provider_input=flag))
    return tuple(rules)


def rules_for(type_token: str) -> tuple[Immutable, ...] | None:
    """The type's rows, or None when the table has no row for it (every Kubernetes kind has one)."""
    if type_token.startswith("kubernetes:"):
        return _kubernetes(type_token)
    return TABLE.get(type_token)


_INDEX = re.compile(r"\[\d+\]")


def _under(path: str, field: str) -> bool:
    """Whether input path `path` (a.b[0].c) is `field` or below it; list indices match any element."""
    if field == EVERY_INPUT:
        return True
    plain = _INDEX.sub("", path) if "[" not in field else path
    return plain == field or plain.startswith((field + ".", field + "["))


def fed_fields(
    type_token: str,
    props: Iterable[str],
    inputs: Mapping[str, Any],
    provider_inputs: Mapping[str, Any],
    replace_on_changes: Iterable[str] = (),
) -> list[str]:
    """The top-level inputs among `props` that hold (or are) an immutable field: when the resource an
    input's value comes from is replaced, its id changes, so this resource is replaced too."""
    fed = []
    for prop in props:
        direct = forced_by(type_token, [prop], inputs, provider_inputs, replace_on_changes)
        nested = any(
            f.startswith(prop + ".")
            for rule in rules_for(type_token) or ()
            if _applies(rule, inputs, provider_inputs)
            for f in rule.fields
        )
        if direct or nested:
            fed.append(prop)
    return sorted(fed)


def runbook(type_token: str) -> str:
    """Where an operator learns to make a replacing change another way (e.g. keep Raft quorum)."""
    return RUNBOOKS.get(type_token, "")


def deletes_first(type_token: str, old: Mapping[str, Any], new: Mapping[str, Any], option: bool) -> bool:
    """Whether a replacement deletes the old object before creating the new one. pulumi-kubernetes
    does so itself for an object whose fixed name and namespace stay the same (provider.go, Diff)."""
    if option:
        return True
    if type_token.startswith("kubernetes:"):
        meta_old, meta_new = old.get("metadata") or {}, new.get("metadata") or {}
        return bool(meta_new.get("name")) and (meta_new.get("name"), meta_new.get("namespace")) == (
            meta_old.get("name"),
            meta_old.get("namespace"),
        )
    return False


def _applies(rule: Immutable, inputs: Mapping[str, Any], provider_inputs: Mapping[str, Any]) -> bool:
    if rule.when_input is not None and inputs.get(rule.when_input[0]) != rule.when_input[1]:
        return False
    return not (rule.unless_provider_input and provider_inputs.get(rule.unless_provider_input) is True)


def forced_by(
    type_token: str,
    changed_paths: Iterable[str],
    inputs: Mapping[str, Any],
    provider_inputs: Mapping[str, Any],
    replace_on_changes: Iterable[str] = (),
) -> list[str]:
    """The changed input paths that make the engine replace this resource (sorted; empty: update)."""
    rules = list(rules_for(type_token) or ())
    forced = []
    for path in changed_paths:
        hit = any(_under(path, f) for f in replace_on_changes)
        for rule in rules:
            if _applies(rule, inputs, provider_inputs):
                hit = hit or any(_under(path, f) for f in rule.fields)
        if hit:
            forced.append(path)
    return sorted(forced)
