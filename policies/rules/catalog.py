"""Every rule ID, what it catches, why, and where the reasoning comes from.

This is the one list of rule IDs: exemptions are checked against it, the pack builds one CrossGuard policy
per entry, and a test keeps policies/README.md in step with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Scope(Enum):
    ACL = "acl"  # Vault ACL policy text (files, and vault:index/policy:Policy resources)
    RESOURCE = "resource"  # declared resource inputs
    EXEMPTION = "exemption"  # the exemption comments themselves


@dataclass(frozen=True)
class Rule:
    rule_id: str
    scope: Scope
    title: str
    why: str
    source: str


_VAULT_POLICIES = "https://developer.hashicorp.com/vault/docs/concepts/policies"
_PRODUCTION_HARDENING = "https://developer.hashicorp.com/vault/docs/concepts/production-hardening"
_K8S_AUTH_API = "https://developer.hashicorp.com/vault/api-docs/auth/kubernetes"
_JWT_AUTH_API = "https://developer.hashicorp.com/vault/api-docs/auth/jwt"
_GITHUB_OIDC = (
    "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/"
    "about-security-hardening-with-openid-connect"
)
_POD_SECURITY = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"

RULES: tuple[Rule, ...] = (
    Rule(
        "VP-ACL-001",
        Scope.ACL,
        "path matches every mount (`*`, `+`, `+/...`) with a capability other than deny",
        "Grants on every path include sys/, auth/ and identity/: the policy is root in all but name "
        '(the bootstrap mistake `path "*"`).',
        _VAULT_POLICIES + " (root policy; path globbing)",
    ),
    Rule(
        "VP-ACL-002",
        Scope.ACL,
        "`sudo` capability",
        "sudo opens root-protected endpoints (revoke-force, raw storage, rekey...); no application needs it.",
        _VAULT_POLICIES + "#root-protected-api-endpoints",
    ),
    Rule(
        "VP-ACL-003",
        Scope.ACL,
        "sys/ endpoint beyond the self-service set of Vault's default policy",
        "sys/ manages mounts, audit, seal, raw storage, rekey, generate-root, plugins, quotas and leases of "
        "everyone (revoke-prefix, revoke-force). Allowed: the self-service endpoints the built-in default "
        "policy grants (sys/leases/renew|lookup, sys/renew, sys/capabilities-self, sys/wrapping/*, "
        "sys/tools/hash|random, sys/internal/ui/resultant-acl, sys/control-group/request, sys/mfa/challenge).",
        _VAULT_POLICIES + "#built-in-policies; audit via API: CVE-2025-6000, OpenBao CVE-2025-54997",
    ),
    Rule(
        "VP-ACL-004",
        Scope.ACL,
        "token creation or token-role management (auth/token/create*, auth/token/roles)",
        "A token that can create tokens can mint children with any subset of its policies, or orphans that "
        "outlive it; token roles decide which policies such tokens may carry.",
        "https://developer.hashicorp.com/vault/api-docs/auth/token",
    ),
    Rule(
        "VP-ACL-005",
        Scope.ACL,
        "writes to an auth method's roles/config/users (auth/<mount>/... except login) or sys/auth",
        "Whoever writes an auth role decides which identities log in with which policies: "
        "that is every policy, one step removed.",
        _K8S_AUTH_API + "; " + _JWT_AUTH_API,
    ),
    Rule(
        "VP-ACL-006",
        Scope.ACL,
        "writes under identity/ (entities, groups, aliases, OIDC)",
        "Entities and groups carry policies; writing them attaches any policy to any identity.",
        "CVE-2024-9180; https://developer.hashicorp.com/vault/api-docs/secret/identity",
    ),
    Rule(
        "VP-ACL-007",
        Scope.ACL,
        "policy writes (sys/policy, sys/policies/acl|password|rgp|egp)",
        "Rewriting a policy the caller already holds is self-escalation to anything.",
        "hashicorp/vault#6945; https://developer.hashicorp.com/vault/api-docs/system/policies",
    ),
    Rule(
        "VP-ACL-008",
        Scope.ACL,
        "glob or `+` spanning a whole secrets-engine mount, its operation segment, or sibling scopes",
        "`kv/data/*`, `database/creds/*`, `transit/*` or `kv/data/+/x` reach every service's secrets; "
        "grants must name the service's own scope (or an identity template for it).",
        _VAULT_POLICIES + " (globs, `+` segment wildcard, templated policies)",
    ),
    Rule(
        "VP-ACL-009",
        Scope.ACL,
        "secrets-engine administration (config, roles, static-roles, rotate-root/role, PKI root/intermediate)",
        "Engine config holds root credentials and role definitions decide what credentials are minted: "
        "only the deployer manages them.",
        "https://developer.hashicorp.com/vault/api-docs/secret/databases; "
        "https://developer.hashicorp.com/vault/api-docs/secret/aws; "
        "https://developer.hashicorp.com/vault/api-docs/secret/pki",
    ),
    Rule(
        "VP-ACL-010",
        Scope.ACL,
        "transit key administration (create/delete keys, keys/<k>/config, export, backup, restore, trim)",
        "Export and backup hand out key material; config, delete and trim can make ciphertext unreadable.",
        "https://developer.hashicorp.com/vault/api-docs/secret/transit",
    ),
    Rule(
        "VP-ACL-011",
        Scope.ACL,
        "KV v2 permanent deletion (destroy, metadata delete)",
        "Destroy and metadata delete erase every version irrecoverably; soft delete (`delete/`) is enough "
        "for applications.",
        "https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2",
    ),
    Rule(
        "VP-SYNTAX-001",
        Scope.RESOURCE,
        "a vault:index/policy:Policy whose text Vault would reject",
        "The pack sees the policy before Vault does: an unparsable policy fails the deployment late.",
        _VAULT_POLICIES + "#policy-syntax",
    ),
    Rule(
        "VP-K8SAUTH-001",
        Scope.RESOURCE,
        "Kubernetes auth role binding `*` or no service account names",
        "Any service account in the bound namespaces logs in with the role's policies.",
        _K8S_AUTH_API + "#bound_service_account_names",
    ),
    Rule(
        "VP-K8SAUTH-002",
        Scope.RESOURCE,
        "Kubernetes auth role binding `*` or no namespaces (and no namespace selector)",
        "A service account with the right name in any namespace, including one an attacker creates, logs in.",
        _K8S_AUTH_API + "#bound_service_account_namespaces",
    ),
    Rule(
        "VP-JWT-001",
        Scope.RESOURCE,
        "JWT role without bound_audiences",
        "Without an audience check a token minted for any other relying party of the same issuer is accepted.",
        _JWT_AUTH_API + "#bound_audiences; " + _GITHUB_OIDC,
    ),
    Rule(
        "VP-JWT-002",
        Scope.RESOURCE,
        "JWT/OIDC role without bound_subject or bound_claims",
        "Then every identity the issuer vouches for logs in (for GitHub: every repository on github.com).",
        _JWT_AUTH_API + "#bound_claims; " + _GITHUB_OIDC,
    ),
    Rule(
        "VP-JWT-003",
        Scope.RESOURCE,
        "JWT role with a wildcard bound claim (glob value that is, or starts with, `*`) or an empty one",
        "A leading wildcard matches every value of the claim, undoing the binding.",
        _JWT_AUTH_API + "#bound_claims_type",
    ),
    Rule(
        "VP-TTL-001",
        Scope.RESOURCE,
        "auth role or token without a TTL cap (no token_max_ttl/explicit max), or periodic without explicit max",
        "Uncapped tokens default to the system max (32 days); periodic ones renew forever.",
        "https://developer.hashicorp.com/vault/docs/concepts/tokens#token-time-to-live-periodic-tokens-and-"
        "explicit-max-ttls",
    ),
    Rule(
        "VP-TTL-002",
        Scope.RESOURCE,
        "token or lease TTL above the cap (default 24h; pack config `maxTtlSeconds`)",
        "Short-lived credentials are the point of Vault: a leaked credential is only useful until it expires.",
        _PRODUCTION_HARDENING,
    ),
    Rule(
        "VP-TTL-003",
        Scope.RESOURCE,
        "default TTL above max TTL (token_ttl > token_max_ttl, default_ttl > max_ttl, STS default > max)",
        "Vault silently clamps it: the declared default is a lie, a known mistake of public Vault modules.",
        "https://developer.hashicorp.com/vault/docs/concepts/lease",
    ),
    Rule(
        "VP-DB-001",
        Scope.RESOURCE,
        "database role creation statements granting ALL, SUPERUSER, CREATEROLE, CREATEDB, BYPASSRLS, "
        "REPLICATION, GRANT/ADMIN OPTION or global (*.*) privileges",
        "Dynamic credentials should carry least privilege; these let the holder create persistent users "
        "or bypass row security, outliving the lease.",
        "https://developer.hashicorp.com/vault/docs/secrets/databases/postgresql; "
        "https://www.postgresql.org/docs/current/sql-createrole.html",
    ),
    Rule(
        "VP-DB-002",
        Scope.RESOURCE,
        "database role without revocation statements",
        "The plugin default only drops the role, which fails when it owns objects or holds grants: "
        "revocation must reassign/drop owned objects explicitly so expired users really disappear.",
        "https://developer.hashicorp.com/vault/docs/secrets/databases/postgresql#revocation-statements",
    ),
    Rule(
        "VP-DB-003",
        Scope.RESOURCE,
        "database connection with allowed_roles containing `*`",
        "Every role on the mount, including one created later, may then use the connection's privileges.",
        "https://developer.hashicorp.com/vault/api-docs/secret/databases#allowed_roles",
    ),
    Rule(
        "VP-AWS-001",
        Scope.RESOURCE,
        "AWS role policy allowing `*`, `service:*` or NotAction, or attaching an admin managed policy",
        "Wildcard actions grant everything the service (or AWS) adds later.",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    ),
    Rule(
        "VP-AWS-002",
        Scope.RESOURCE,
        "AWS role policy allowing actions on Resource `*`",
        "Scope resources by ARN so a credential for one bucket or table is not a credential for all.",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    ),
    Rule(
        "VP-AWS-003",
        Scope.RESOURCE,
        "AWS role policy with IAM write actions (iam:*, PassRole, Create*/Attach*/Put*...)",
        "IAM writes turn a short-lived Vault credential into a permanent AWS identity.",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passrole.html",
    ),
    Rule(
        "VP-GCP-001",
        Scope.RESOURCE,
        "GCP IAM grant of a basic role (roles/owner, roles/editor)",
        "Basic roles include thousands of permissions across every service.",
        "https://cloud.google.com/iam/docs/roles-overview#basic",
    ),
    Rule(
        "VP-GCP-002",
        Scope.RESOURCE,
        "Cloud KMS role granted at project, folder, org or key-ring scope instead of on the crypto key",
        "The unseal key must be usable only by Vault: wider scopes reach every key, present and future.",
        "https://cloud.google.com/kms/docs/iam#granting_roles_on_a_resource; "
        "https://developer.hashicorp.com/vault/docs/configuration/seal/gcpckms",
    ),
    Rule(
        "VP-GCP-003",
        Scope.RESOURCE,
        "service account key (gcp:serviceaccount/key:Key)",
        "Exported keys are long-lived secrets that land in state; use Workload Identity.",
        "https://cloud.google.com/iam/docs/best-practices-for-managing-service-account-keys",
    ),
    Rule(
        "VP-POD-001",
        Scope.RESOURCE,
        "privileged pod: privileged, allowPrivilegeEscalation, ALL/SYS_ADMIN capabilities or host namespaces",
        "Each of these is a route from the container to the node and every secret on it.",
        _POD_SECURITY,
    ),
    Rule(
        "VP-POD-002",
        Scope.RESOURCE,
        "container may run as root (no runAsNonRoot/runAsUser > 0, or runAsUser 0)",
        "Vault and its jobs need no root; the restricted Pod Security Standard forbids it.",
        _POD_SECURITY + "#restricted",
    ),
    Rule(
        "VP-POD-003",
        Scope.RESOURCE,
        "hostPath volume",
        "hostPath exposes the node's filesystem (kubelet credentials, other pods' data).",
        _POD_SECURITY + "#baseline",
    ),
    Rule(
        "VP-POD-004",
        Scope.RESOURCE,
        "container without a memory limit",
        "An unbounded container can starve Raft peers on the node. CPU limits are not required: they "
        "throttle Vault's latency-sensitive work.",
        "https://developer.hashicorp.com/vault/tutorials/kubernetes/kubernetes-raft-deployment-guide",
    ),
    Rule(
        "VP-TLS-001",
        Scope.RESOURCE,
        "TLS disabled or unverified (tls_disable, tls_skip_verify, skipTlsVerify, VAULT_SKIP_VERIFY, http://)",
        "Vault tokens and secrets would cross the network in clear, or to an unauthenticated peer.",
        _PRODUCTION_HARDENING + " (end-to-end TLS)",
    ),
    Rule(
        "VP-TLS-002",
        Scope.RESOURCE,
        "listener tls_min_version below TLS 1.2",
        "TLS 1.0/1.1 are deprecated (RFC 8996).",
        "https://developer.hashicorp.com/vault/docs/configuration/listener/tcp#tls_min_version; RFC 8996",
    ),
    Rule(
        "VP-EXEMPT-001",
        Scope.EXEMPTION,
        "exemption without a reason",
        "An exemption is a security decision; the reason is what a reviewer checks.",
        "policies/README.md (exemption syntax)",
    ),
    Rule(
        "VP-EXEMPT-002",
        Scope.EXEMPTION,
        "exemption naming an unknown rule ID (or none)",
        "A misspelt ID would otherwise exempt nothing while looking like it does.",
        "policies/README.md (exemption syntax)",
    ),
    Rule(
        "VP-EXEMPT-003",
        Scope.EXEMPTION,
        "exemption that exempts nothing in this policy",
        "Stale exemptions hide the next broad grant that happens to match them.",
        "policies/README.md (exemption syntax)",
    ),
)

RULES_BY_ID: dict[str, Rule] = {rule.rule_id: rule for rule in RULES}
RULE_IDS: frozenset[str] = frozenset(RULES_BY_ID)
ACL_RULE_IDS: frozenset[str] = frozenset(r.rule_id for r in RULES if r.scope is Scope.ACL)
