"""Rules over a parsed ACL policy. Each rule looks at one path rule and says what is wrong with it, if anything.

Paths that match every mount get VP-ACL-001 (and VP-ACL-002 for sudo) only: repeating every narrower finding
for `path "*"` would bury the one that matters. Paths under a namespace (`ns1/sys/...`) are judged as the
same path at the root.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from policies.rules.acl_model import WRITE_CAPABILITIES, PathRule
from policies.rules.acl_paths import (
    LIT,
    PREFIX,
    confined,
    first_segment,
    is_catch_all,
    literal_head,
    parse_pattern,
    reaches,
)
from policies.rules.registry import acl_rule
from policies.rules.tenancy import (
    RESERVED_MOUNTS,
    LintContext,
    namespace_split,
    tenant_spread,
    values_confined,
)

_VAULT_POLICIES = "https://developer.hashicorp.com/vault/docs/concepts/policies"
_K8S_AUTH_API = "https://developer.hashicorp.com/vault/api-docs/auth/kubernetes"
_JWT_AUTH_API = "https://developer.hashicorp.com/vault/api-docs/auth/jwt"
_TOKEN_API = "https://developer.hashicorp.com/vault/api-docs/auth/token"  # noqa: S105 - a URL


@dataclass(frozen=True)
class Share:
    """A declared cross-service read (`# lint:share from="billing" path="kv/data/apps/billing/x"`)."""

    source: str  # the service whose subtree is read
    path: str
    line: int


@dataclass(frozen=True)
class AclView:
    """What the rules know besides one path rule: the deployment layout and the policy's own identity."""

    context: LintContext
    name: str | None = None  # the policy's name (file stem or resource `name`)
    shares: tuple[Share, ...] = ()

    @property
    def owner(self) -> str | None:
        """The service a generated `svc-<service>` policy belongs to."""
        if self.name and self.name.startswith("svc-"):
            return self.name[4:]
        return None

    def inner(self, path: str) -> str:
        return namespace_split(path, self.context)[1]


# Vault's built-in `default` policy (the self-service endpoints every token already has), plus read-only
# status endpoints that reveal configuration but change nothing.
SYS_ALLOWED: dict[str, frozenset[str]] = {
    "sys/leases/renew": frozenset({"update"}),
    "sys/leases/lookup": frozenset({"update"}),
    "sys/renew": frozenset({"update"}),
    "sys/capabilities-self": frozenset({"read", "update"}),
    "sys/wrapping/wrap": frozenset({"update"}),
    "sys/wrapping/lookup": frozenset({"update"}),
    "sys/wrapping/unwrap": frozenset({"update"}),
    "sys/tools/hash": frozenset({"update"}),
    "sys/tools/hash/*": frozenset({"update"}),
    "sys/tools/random": frozenset({"update"}),
    "sys/tools/random/*": frozenset({"update"}),
    "sys/internal/ui/resultant-acl": frozenset({"read"}),
    "sys/control-group/request": frozenset({"update"}),
    "sys/mfa/challenge": frozenset({"update"}),
    "sys/metrics": frozenset({"read"}),
    "sys/mounts": frozenset({"read"}),
    "sys/auth": frozenset({"read"}),
    "sys/health": frozenset({"read"}),
    "sys/seal-status": frozenset({"read"}),
    "sys/leader": frozenset({"read"}),
}
# Reading one mount's configuration (`sys/mounts/<path>`, its tune) shows what `sys/mounts` lists anyway.
_SYS_READ_PREFIXES = ("sys/mounts/",)


def sys_allowed(path: str) -> frozenset[str]:
    """The capabilities on a sys/ path (relative to its namespace) that are self-service or read-only status.
    A glob or `+` is allowed only where the table names it (`sys/tools/hash/*`)."""
    allowed = SYS_ALLOWED.get(path, frozenset())
    if path.startswith(_SYS_READ_PREFIXES) and "*" not in path and "+" not in path.split("/"):
        allowed |= {"read"}
    return allowed


# Revoking a lease is fine when allowed_parameters pins `lease_id` to the caller's own leases.
_LEASE_REVOKE = ("sys/leases/revoke", "sys/revoke")
# sys/ areas named in messages, so the reader sees what a broad sys grant reaches.
_SYS_AREAS = (
    "mounts", "remount", "audit", "seal", "unseal", "raw", "rekey", "rekey-recovery-key", "generate-root",
    "generate-recovery-token", "storage", "config", "plugins", "quotas", "leases/revoke-prefix",
    "leases/revoke-force", "revoke-prefix", "revoke-force", "step-down", "replication", "namespaces",
)  # fmt: skip
_AREAS_SHOWN = 5
# Handled by the escalation rules, which say more than "sys/".
_SYS_DELEGATED = ("sys/policy", "sys/policies/acl", "sys/policies/rgp", "sys/policies/egp", "sys/auth")
_POLICY_TARGETS = (
    "sys/policy",
    "sys/policies/acl",
    "sys/policies/rgp",
    "sys/policies/egp",
    "sys/policies/password",
)

_TOKEN_CREATE = ("auth/token/create*",)
_TOKEN_ROLES = ("auth/token/roles",)
# Writes under an auth mount that are logins, not administration.
_AUTH_LOGIN_SEGMENTS = frozenset({"login", "oidc"})
# identity/ endpoints whose writes are lookups or self-service, not changes to who holds which policy.
_IDENTITY_HARMLESS = ("identity/lookup/", "identity/oidc/introspect", "identity/mfa/method/totp/generate")

_ENGINE_ADMIN = ("+/config", "+/roles", "+/static-roles", "+/rotate-root", "+/rotate-role", "+/root",
                 "+/intermediate")  # fmt: skip
_TRANSIT_ADMIN_WRITE = ("+/keys/+$", "+/keys/+/config", "+/keys/+/trim", "+/keys/+/import",
                        "+/keys/+/import_version", "+/restore")  # fmt: skip
_TRANSIT_ADMIN_DELETE = ("+/keys/+$",)
_TRANSIT_ADMIN_READ = ("+/export", "+/backup", "+/byok-export")
_PKI_UNCONSTRAINED = ("+/sign-verbatim", "+/sign-intermediate", "+/root/sign-intermediate",
                      "+/root/sign-self-issued", "+/issuer/+/sign-verbatim", "+/issuer/+/sign-intermediate",
                      "+/issuer/+/sign-self-issued")  # fmt: skip
_BY_ACCESSOR = ("auth/token/lookup-accessor$", "auth/token/revoke-accessor$")
_ACCESSOR_LIST = "auth/token/accessors"
_TOKEN_OTHERS = ("auth/token/revoke-orphan$",)
_SHARE_CAPABILITIES = frozenset({"read"})
# KV v2 operations on a secret of a tenant's subtree (all but the mount-wide `config`).
_KV_TENANT_OPERATIONS = frozenset({"data", "metadata", "subkeys", "delete", "undelete", "destroy"})


def _caps(capabilities: Iterable[str]) -> str:
    return ", ".join(sorted(capabilities))


def _block(rule: PathRule) -> str:
    return f'path "{rule.path}"'


@acl_rule(
    "VP-ACL-001",
    title="path matches every mount (`*`, `+`, `+/...`, or a template in the mount segment) with a "
    "capability other than deny",
    why="Grants on every path include sys/, auth/ and identity/: the policy is root in all but name "
    '(the bootstrap mistake `path "*"`).',
    source=_VAULT_POLICIES + " (root policy; path globbing)",
    boundary=True,
)
def catch_all(rule: PathRule, view: AclView) -> list[str]:
    if rule.grants and is_catch_all(view.inner(rule.path)):
        return [
            f"{_block(rule)} matches every mount (sys/, auth/, identity/ included) with {_caps(rule.grants)}"
        ]
    return []


@acl_rule(
    "VP-ACL-002",
    title="`sudo` capability",
    why="sudo opens root-protected endpoints (revoke-force, raw storage, rekey...); no application needs it.",
    source=_VAULT_POLICIES + "#root-protected-api-endpoints",
)
def sudo(rule: PathRule, view: AclView) -> list[str]:
    if "sudo" in rule.grants:
        return [f"{_block(rule)} grants sudo (root-protected endpoints)"]
    return []


def _lease_revoke_pinned(rule: PathRule, inner: str, view: AclView) -> bool:
    if not rule.grants <= {"update"}:
        return False
    if inner in _LEASE_REVOKE:
        values = rule.parameter_values("lease_id")
        return values == () or (values is not None and values_confined(values, view.context))
    for prefix in _LEASE_REVOKE:
        lease = inner.removeprefix(prefix + "/")
        if lease != inner:
            return bool(lease) and values_confined([lease], view.context)
    return False


@acl_rule(
    "VP-ACL-003",
    title="sys/ endpoint beyond the self-service set of Vault's default policy and read-only status",
    why="sys/ manages mounts, audit, seal, raw storage, rekey, generate-root, plugins, quotas and leases of "
    "everyone (revoke-prefix, revoke-force). Allowed: the self-service endpoints the built-in default policy "
    "grants (sys/leases/renew|lookup, sys/renew, sys/capabilities-self, sys/wrapping/*, sys/tools/hash|random, "
    "sys/internal/ui/resultant-acl, sys/control-group/request, sys/mfa/challenge), reads of sys/metrics, "
    "sys/mounts, sys/auth, sys/health, sys/seal-status and sys/leader, and a lease revoke whose "
    "`allowed_parameters` pin `lease_id` to one tenant's leases. Namespaced paths (`ns1/sys/...`) count.",
    source=_VAULT_POLICIES + "#built-in-policies; audit via API: CVE-2025-6000, OpenBao CVE-2025-54997",
    boundary=True,
)
def sys_endpoints(rule: PathRule, view: AclView) -> list[str]:
    inner = view.inner(rule.path)
    if not rule.grants or not reaches(inner, "sys"):
        return []
    if rule.grants <= sys_allowed(inner):
        return []
    if _lease_revoke_pinned(rule, inner, view):
        return []
    if any(confined(inner, prefix) for prefix in _SYS_DELEGATED):
        return []
    areas = [area for area in _SYS_AREAS if reaches(inner, f"sys/{area}")]
    shown = ", ".join(areas[:_AREAS_SHOWN]) + (", ..." if len(areas) > _AREAS_SHOWN else "")
    where = f"sys/ ({shown})" if areas else "sys/ beyond the self-service set"
    return [f"{_block(rule)} grants {_caps(rule.grants)} on {where}"]


@acl_rule(
    "VP-ACL-004",
    title="token creation or token-role management (auth/token/create*, auth/token/roles)",
    why="A token that can create tokens can mint children with any subset of its policies, or orphans that "
    "outlive it; token roles decide which policies such tokens may carry.",
    source=_TOKEN_API,
    boundary=True,
)
def token_creation(rule: PathRule, view: AclView) -> list[str]:
    inner = view.inner(rule.path)
    found = []
    writes = rule.grants & {"create", "update", "patch"}
    if writes and any(reaches(inner, target) for target in _TOKEN_CREATE):
        found.append(f"{_block(rule)} can create tokens ({_caps(writes)})")
    role_writes = rule.grants & WRITE_CAPABILITIES
    if role_writes and any(reaches(inner, target) for target in _TOKEN_ROLES):
        found.append(f"{_block(rule)} can manage token roles ({_caps(role_writes)})")
    return found


@acl_rule(
    "VP-ACL-005",
    title="writes to an auth method's roles/config/users (auth/<mount>/... except login) or sys/auth",
    why="Whoever writes an auth role decides which identities log in with which policies: "
    "that is every policy, one step removed.",
    source=_K8S_AUTH_API + "; " + _JWT_AUTH_API,
    boundary=True,
)
def auth_administration(rule: PathRule, view: AclView) -> list[str]:
    writes = rule.grants & WRITE_CAPABILITIES
    if not writes:
        return []
    inner = view.inner(rule.path)
    found = []
    if reaches(inner, "sys/auth"):
        found.append(f"{_block(rule)} can enable, disable or tune auth methods ({_caps(writes)})")
    pattern = parse_pattern(inner)
    segments = pattern.segments
    mount = segments[1] if len(segments) > 1 else None
    operation = segments[2] if len(segments) > 2 else None
    is_login = (
        operation is not None
        and operation.kind == LIT
        and operation.text in _AUTH_LOGIN_SEGMENTS
        and not (pattern.tail_glob and len(segments) == 3)
    )
    is_token = mount is not None and mount.kind == LIT and mount.text == "token"
    if reaches(inner, "auth/+/+") and not is_token and not is_login:
        found.append(f"{_block(rule)} can write auth method roles or config ({_caps(writes)})")
    return found


@acl_rule(
    "VP-ACL-006",
    title="writes under identity/ (entities, groups, aliases, OIDC)",
    why="Entities and groups carry policies; writing them attaches any policy to any identity.",
    source="CVE-2024-9180; https://developer.hashicorp.com/vault/api-docs/secret/identity",
    boundary=True,
)
def identity_writes(rule: PathRule, view: AclView) -> list[str]:
    writes = rule.grants & WRITE_CAPABILITIES
    inner = view.inner(rule.path)
    if not writes or not reaches(inner, "identity"):
        return []
    if any(confined(inner, prefix) for prefix in _IDENTITY_HARMLESS):
        return []
    return [f"{_block(rule)} can write identity entities/groups/aliases ({_caps(writes)})"]


@acl_rule(
    "VP-ACL-007",
    title="policy writes (sys/policy, sys/policies/acl|password|rgp|egp)",
    why="Rewriting a policy the caller already holds is self-escalation to anything.",
    source="hashicorp/vault#6945; https://developer.hashicorp.com/vault/api-docs/system/policies",
    boundary=True,
)
def policy_writes(rule: PathRule, view: AclView) -> list[str]:
    writes = rule.grants & WRITE_CAPABILITIES
    inner = view.inner(rule.path)
    if writes and any(reaches(inner, target) for target in _POLICY_TARGETS):
        return [f"{_block(rule)} can write policies ({_caps(writes)})"]
    return []


def _engine_path(rule: PathRule, view: AclView) -> bool:
    return bool(rule.grants) and first_segment(view.inner(rule.path)) not in RESERVED_MOUNTS


def _spans_whole_mount(path: str) -> bool:
    """A wildcard in the mount or the segment after it: VP-ACL-008 already says "everything on the mount"."""
    return any(segment.kind != LIT for segment in parse_pattern(path).segments[:2])


def _specific_engine_path(rule: PathRule, view: AclView) -> bool:
    return _engine_path(rule, view) and not _spans_whole_mount(view.inner(rule.path))


@acl_rule(
    "VP-ACL-008",
    title="path reaches more than one tenant: a glob, `+`, partial glob (`kv/d*`) or identity template in "
    "a mount, operation or tenant segment (tenant layout from the stack config)",
    why="`kv/data/*`, `kv/data/apps/+/*`, `kv/data/ai/providers/openai/*`, `database/c*` or "
    "`kv/data/apps/{{identity.entity.metadata.service}}*` reach every service's secrets; grants must name the "
    "service's own scope (a literal, or an identity template that is the whole tenant segment).",
    source=_VAULT_POLICIES + " (globs, `+` segment wildcard, templated policies)",
    boundary=True,
)
def tenant_reach(rule: PathRule, view: AclView) -> list[str]:
    if not rule.grants:
        return []
    spread = tenant_spread(rule.path, view.context)
    if spread is None:
        return []
    return [
        f"{_block(rule)} spans every {spread.unit} under {spread.under or '/'} "
        f"with {_caps(rule.grants)}; name the service's own scope"
    ]


@acl_rule(
    "VP-ACL-009",
    title="secrets-engine administration (config, roles, static-roles, rotate-root/role, PKI root/intermediate)",
    why="Engine config holds root credentials and role definitions decide what credentials are minted: "
    "only the deployer manages them.",
    source="https://developer.hashicorp.com/vault/api-docs/secret/databases; "
    "https://developer.hashicorp.com/vault/api-docs/secret/aws; "
    "https://developer.hashicorp.com/vault/api-docs/secret/pki",
    boundary=True,
)
def engine_administration(rule: PathRule, view: AclView) -> list[str]:
    writes = rule.grants & WRITE_CAPABILITIES
    if not writes or not _specific_engine_path(rule, view):
        return []
    inner = view.inner(rule.path)
    hit = [target[2:] for target in _ENGINE_ADMIN if reaches(inner, target)]
    if hit:
        return [f"{_block(rule)} administers the engine ({', '.join(hit)}: {_caps(writes)})"]
    return []


@acl_rule(
    "VP-ACL-010",
    title="transit key administration (create/delete keys, keys/<k>/config, import, import_version, trim, "
    "export, backup, restore)",
    why="Export and backup hand out key material; import and import_version replace it with the caller's; "
    "config, delete and trim can make ciphertext unreadable.",
    source="https://developer.hashicorp.com/vault/api-docs/secret/transit",
    boundary=True,
)
def transit_administration(rule: PathRule, view: AclView) -> list[str]:
    if not _specific_engine_path(rule, view):
        return []
    inner = view.inner(rule.path)
    hits = []
    writes = rule.grants & {"create", "update", "patch"}
    if writes:
        hits += [target for target in _TRANSIT_ADMIN_WRITE if reaches(inner, target)]
    if "delete" in rule.grants:
        hits += [target for target in _TRANSIT_ADMIN_DELETE if reaches(inner, target)]
    if "read" in rule.grants:
        hits += [target for target in _TRANSIT_ADMIN_READ if reaches(inner, target)]
    if hits:
        named = sorted({target.removeprefix("+/").removesuffix("$") for target in hits})
        return [f"{_block(rule)} administers transit keys ({', '.join(named)})"]
    return []


@acl_rule(
    "VP-ACL-011",
    title="KV v2 permanent deletion (destroy, metadata delete, metadata writes)",
    why="Destroy and metadata delete erase every version irrecoverably, and a metadata write sets "
    "`delete_version_after`/`max_versions`, which prunes them; soft delete (`delete/`) is enough for "
    "applications.",
    source="https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2",
)
def kv_permanent_delete(rule: PathRule, view: AclView) -> list[str]:
    if not _specific_engine_path(rule, view):
        return []
    inner = view.inner(rule.path)
    found = []
    if rule.grants & {"create", "update", "patch"} and reaches(inner, "+/destroy"):
        found.append(f"{_block(rule)} can destroy secret versions permanently")
    if "delete" in rule.grants and reaches(inner, "+/metadata"):
        found.append(f"{_block(rule)} can delete secret metadata (every version, permanently)")
    writes = rule.grants & {"create", "update", "patch"}
    if writes and reaches(inner, "+/metadata"):
        found.append(
            f"{_block(rule)} can write secret metadata ({_caps(writes)}: delete_version_after, max_versions)"
        )
    return found


@acl_rule(
    "VP-ACL-012",
    title="PKI signing outside a role's constraints (sign-verbatim, sign-intermediate, sign-self-issued)",
    why="These endpoints sign whatever the CSR asks for (any name, or a CA certificate), ignoring the "
    "role's allowed domains: a certificate for every service, or a subordinate CA.",
    source="https://developer.hashicorp.com/vault/api-docs/secret/pki#sign-verbatim",
    boundary=True,
)
def pki_unconstrained(rule: PathRule, view: AclView) -> list[str]:
    writes = rule.grants & {"create", "update", "patch"}
    if not writes or not _specific_engine_path(rule, view):
        return []
    inner = view.inner(rule.path)
    hits = sorted({t.removeprefix("+/") for t in _PKI_UNCONSTRAINED if reaches(inner, t)})
    if hits:
        return [f"{_block(rule)} signs outside role constraints ({', '.join(hits)})"]
    return []


def _accessor_pinned(rule: PathRule) -> bool:
    values = rule.parameter_values("accessor")
    return values is not None and all("*" not in value for value in values)


@acl_rule(
    "VP-ACL-013",
    title="operations on other tokens by accessor (lookup-accessor, revoke-accessor, accessors list, "
    "revoke-orphan)",
    why="An accessor names any token: looking it up shows its policies and metadata, revoking it logs "
    "anyone out; listing accessors enumerates every token. Allowed when `allowed_parameters` pins "
    "`accessor` to listed values.",
    source=_TOKEN_API + "#revoke-token-accessor",
    boundary=True,
)
def token_by_accessor(rule: PathRule, view: AclView) -> list[str]:
    inner = view.inner(rule.path)
    writes = rule.grants & {"create", "update", "patch"}
    hits = []
    if writes and not _accessor_pinned(rule):
        hits += [t.removesuffix("$") for t in _BY_ACCESSOR if reaches(inner, t)]
    if writes:
        hits += [t.removesuffix("$") for t in _TOKEN_OTHERS if reaches(inner, t)]
    if rule.grants & {"list", "read", "sudo"} and reaches(inner, _ACCESSOR_LIST):
        hits.append(_ACCESSOR_LIST)
    if hits:
        return [f"{_block(rule)} acts on other tokens ({', '.join(sorted(set(hits)))}: {_caps(rule.grants)})"]
    return []


def _foreign_service(path: str, view: AclView) -> str | None:
    """The other service whose KV subtree a literal path of a `svc-<owner>` policy reads, if any."""
    owner = view.owner
    if owner is None:
        return None
    pattern = parse_pattern(view.inner(path))
    segments = [s.text if s.kind in (LIT, PREFIX) else None for s in pattern.segments]
    if len(segments) < 4:
        return None
    layout = view.context.layout(segments[0] or "")
    if layout is None or layout.kind != "kv-v2" or segments[1] not in _KV_TENANT_OPERATIONS:
        return None
    scope = segments[2:]
    for root in layout.roots:
        if len(scope) < len(root) or any(w != "+" and w != s for w, s in zip(root, scope, strict=False)):
            continue
        service = scope[len(root) - 1]
        if service is not None and service != owner:
            return service
    return None


@acl_rule(
    "VP-ACL-014",
    title="a service's policy (svc-<name>) reaches another service's KV subtree without a declared share",
    why="A cross-service read must be visible where policies are reviewed: declare it in the stack config "
    "(`services[].kv.shares_from`), which renders a `lint:share` marker; shares are read-only.",
    source="policies/README.md (cross-service shares)",
    boundary=True,
)
def undeclared_share(rule: PathRule, view: AclView) -> list[str]:
    if not rule.grants:
        return []
    service = _foreign_service(rule.path, view)
    if service is None:
        return []
    declared = any(share.path == rule.path and share.source == service for share in view.shares)
    if declared and rule.grants <= _SHARE_CAPABILITIES:
        return []
    what = "beyond read" if declared else "without a declared share"
    return [f"{_block(rule)} reaches service {service}'s subtree {what} ({_caps(rule.grants)})"]


@acl_rule(
    "VP-SHARE-001",
    title="declared cross-service share (advisory: listed in plan and preview)",
    why="A declared share is allowed, but it is a cross-tenant read: every one is shown at review time.",
    source="policies/README.md (cross-service shares)",
    advisory=True,
)
def declared_share(rule: PathRule, view: AclView) -> list[str]:
    return [
        f"{_block(rule)} is a declared share: {view.owner or 'this policy'} reads service {share.source}'s "
        f"{share.path}"
        for share in view.shares
        if share.path == rule.path and rule.grants and rule.grants <= _SHARE_CAPABILITIES
    ]


# --- grants no exemption may cover -------------------------------------------------------------------

_NEVER_ANY = ("sys/raw",)
_NEVER_WRITE = ("sys/seal$", "sys/unseal$", "sys/generate-root*", "sys/generate-recovery-token*", "sys/rekey*",
                "sys/rekey-recovery-key*")  # fmt: skip
_ROOT_TOKEN = ("auth/token/create*",)


def unexemptable(rule: PathRule, view: AclView) -> str | None:
    """What makes every finding on this path rule impossible to exempt, or None."""
    inner = view.inner(rule.path)
    grants = rule.grants
    writes = grants & (WRITE_CAPABILITIES | {"sudo"})
    if grants and any(reaches(inner, target) for target in _NEVER_ANY):
        return "raw storage (sys/raw)"
    for target in _NEVER_WRITE:
        if writes and reaches(inner, target):
            return f"{target.rstrip('*$')} (seal, generate-root, rekey)"
    if writes and any(reaches(inner, target) for target in _ROOT_TOKEN):
        policies = rule.parameter_values("policies")
        if policies is None or any("*" in value or value == "root" for value in policies):
            return "root token creation (token creation without `policies` pinned by allowed_parameters)"
    own = [name for name in (view.name, "default") if name]
    for name in own:
        if writes and any(
            reaches(inner, f"{target}/{name}$") for target in ("sys/policy", "sys/policies/acl")
        ):
            return f"the policy {name!r} itself" if name == view.name else "the default policy"
    return None


__all__ = ["SYS_ALLOWED", "AclView", "Share", "literal_head", "unexemptable"]
