"""Rules over a parsed ACL policy. Each rule looks at one path block and says what is wrong with it, if anything.

Paths that match every mount get VP-ACL-001 (and VP-ACL-002 for sudo) only: repeating every narrower finding
for `path "*"` would bury the one that matters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from policies.rules.acl_model import WRITE_CAPABILITIES, AclPolicy, PathRule
from policies.rules.acl_paths import (
    confined,
    first_segment,
    is_catch_all,
    literal_head,
    pattern_of,
    reaches,
)

RawFinding = tuple[str, str]  # (rule_id, message)

# Mounts with their own rules; the engine-level rules (008-011) are about secrets-engine mounts.
RESERVED_MOUNTS = frozenset({"sys", "auth", "identity", "cubbyhole"})

# Vault's built-in `default` policy: the self-service endpoints every token already has.
SYS_SELF_SERVICE: dict[str, frozenset[str]] = {
    "sys/leases/renew": frozenset({"update"}),
    "sys/leases/lookup": frozenset({"update"}),
    "sys/renew": frozenset({"update"}),
    "sys/capabilities-self": frozenset({"update"}),
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
}
# sys/ areas named in messages, so the reader sees what a broad sys grant reaches.
_SYS_AREAS = (
    "mounts",
    "remount",
    "audit",
    "seal",
    "unseal",
    "raw",
    "rekey",
    "rekey-recovery-key",
    "generate-root",
    "generate-recovery-token",
    "storage",
    "config",
    "plugins",
    "quotas",
    "leases/revoke-prefix",
    "leases/revoke-force",
    "revoke-prefix",
    "revoke-force",
    "step-down",
    "replication",
    "namespaces",
)
_AREAS_SHOWN = 5
# Handled by the escalation rules, which say more than "sys/".
_SYS_DELEGATED = ("sys/policy", "sys/policies/acl", "sys/policies/rgp", "sys/policies/egp", "sys/auth")

_TOKEN_CREATE = ("auth/token/create*",)
_TOKEN_ROLES = ("auth/token/roles",)
# Writes under an auth mount that are logins, not administration.
_AUTH_LOGIN_SEGMENTS = frozenset({"login", "oidc"})
# identity/ endpoints whose writes are lookups or self-service, not changes to who holds which policy.
_IDENTITY_HARMLESS = ("identity/lookup/", "identity/oidc/introspect", "identity/mfa/method/totp/generate")

# Second segments that name an engine operation: the service's own scope is the third segment.
_OPERATION_SEGMENTS = frozenset(
    {
        # kv v2
        "data", "metadata", "delete", "undelete", "destroy", "subkeys",
        # database, aws, ssh, kubernetes, rabbitmq...
        "creds", "static-creds", "sts", "roles", "static-roles", "config", "rotate-root", "rotate-role",
        "reset",
        # transit
        "encrypt", "decrypt", "rewrap", "datakey", "keys", "sign", "verify", "hmac", "hash", "random",
        "export", "backup", "restore", "cache-config",
        # pki
        "issue", "sign-verbatim", "cert", "certs", "issuer", "issuers", "root", "intermediate", "revoke",
        "ca", "crl", "key", "tidy",
    }
)  # fmt: skip
_ENGINE_ADMIN = ("+/config", "+/roles", "+/static-roles", "+/rotate-root", "+/rotate-role", "+/root",
                 "+/intermediate")  # fmt: skip
_TRANSIT_ADMIN_WRITE = ("+/keys/+$", "+/keys/+/config", "+/keys/+/trim", "+/keys/+/import", "+/restore")
_TRANSIT_ADMIN_DELETE = ("+/keys/+$",)
_TRANSIT_ADMIN_READ = ("+/export", "+/backup")


def _caps(capabilities: Iterable[str]) -> str:
    return ", ".join(sorted(capabilities))


def _block(rule: PathRule) -> str:
    return f'path "{rule.path}"'


def catch_all(rule: PathRule) -> list[str]:
    if rule.grants and is_catch_all(rule.path):
        return [
            f"{_block(rule)} matches every mount (sys/, auth/, identity/ included) with {_caps(rule.grants)}"
        ]
    return []


def sudo(rule: PathRule) -> list[str]:
    if "sudo" in rule.grants:
        return [f"{_block(rule)} grants sudo (root-protected endpoints)"]
    return []


def sys_endpoints(rule: PathRule) -> list[str]:
    if not rule.grants or not reaches(rule.path, "sys"):
        return []
    allowed = SYS_SELF_SERVICE.get(rule.path)
    if allowed is not None and rule.grants <= allowed:
        return []
    if any(confined(rule.path, prefix) for prefix in _SYS_DELEGATED):
        return []
    areas = [area for area in _SYS_AREAS if reaches(rule.path, f"sys/{area}")]
    shown = ", ".join(areas[:_AREAS_SHOWN]) + (", ..." if len(areas) > _AREAS_SHOWN else "")
    where = f"sys/ ({shown})" if areas else "sys/ beyond the self-service set"
    return [f"{_block(rule)} grants {_caps(rule.grants)} on {where}"]


def token_creation(rule: PathRule) -> list[str]:
    found = []
    writes = rule.grants & {"create", "update", "patch"}
    if writes and any(reaches(rule.path, target) for target in _TOKEN_CREATE):
        found.append(f"{_block(rule)} can create tokens ({_caps(writes)})")
    role_writes = rule.grants & WRITE_CAPABILITIES
    if role_writes and any(reaches(rule.path, target) for target in _TOKEN_ROLES):
        found.append(f"{_block(rule)} can manage token roles ({_caps(role_writes)})")
    return found


def auth_administration(rule: PathRule) -> list[str]:
    writes = rule.grants & WRITE_CAPABILITIES
    if not writes:
        return []
    found = []
    if reaches(rule.path, "sys/auth"):
        found.append(f"{_block(rule)} can enable, disable or tune auth methods ({_caps(writes)})")
    segments = pattern_of(rule.path).segments
    mount = segments[1] if len(segments) > 1 else ""
    operation = segments[2] if len(segments) > 2 else ""
    is_login = operation in _AUTH_LOGIN_SEGMENTS and not (rule.path.endswith("*") and len(segments) == 3)
    if reaches(rule.path, "auth/+/+") and mount != "token" and not is_login:
        found.append(f"{_block(rule)} can write auth method roles or config ({_caps(writes)})")
    return found


def identity_writes(rule: PathRule) -> list[str]:
    writes = rule.grants & WRITE_CAPABILITIES
    if not writes or not reaches(rule.path, "identity"):
        return []
    if any(confined(rule.path, prefix) for prefix in _IDENTITY_HARMLESS):
        return []
    return [f"{_block(rule)} can write identity entities/groups/aliases ({_caps(writes)})"]


def policy_writes(rule: PathRule) -> list[str]:
    writes = rule.grants & WRITE_CAPABILITIES
    targets = ("sys/policy", "sys/policies/acl", "sys/policies/rgp", "sys/policies/egp")
    if writes and any(reaches(rule.path, target) for target in targets):
        return [f"{_block(rule)} can write policies ({_caps(writes)})"]
    return []


def _engine_path(rule: PathRule) -> bool:
    return bool(rule.grants) and first_segment(rule.path) not in RESERVED_MOUNTS


def _spans_whole_mount(path: str) -> bool:
    """A wildcard in the mount or the segment after it: VP-ACL-008 already says "everything on the mount"."""
    pattern = pattern_of(path)
    for depth, segment in enumerate(pattern.segments[:2]):
        if segment == "+" or (pattern.tail_glob and depth == len(pattern.segments) - 1):
            return True
    return False


def _specific_engine_path(rule: PathRule) -> bool:
    return _engine_path(rule) and not _spans_whole_mount(rule.path)


def mount_wide_glob(rule: PathRule) -> list[str]:
    if not _engine_path(rule):
        return []
    pattern = pattern_of(rule.path)
    segments = pattern.segments
    required = 3 if len(segments) > 1 and segments[1] in _OPERATION_SEGMENTS else 2
    for depth, segment in enumerate(segments):
        if depth >= required:
            return []
        is_tail = pattern.tail_glob and depth == len(segments) - 1
        # A partial glob on the scope segment (`kv/data/team-a*`) stays within one naming prefix; anywhere
        # shallower it spans operations or mounts.
        if segment == "+" or (is_tail and (segment == "" or depth < required - 1)):
            scope = (
                "mount" if depth == 0 else ("operation segment" if required == 3 and depth == 1 else "scope")
            )
            return [
                f"{_block(rule)} spans every {scope} under {literal_head(rule.path) or '/'} "
                f"with {_caps(rule.grants)}; name the service's own scope"
            ]
    return []


def engine_administration(rule: PathRule) -> list[str]:
    writes = rule.grants & WRITE_CAPABILITIES
    if not writes or not _specific_engine_path(rule):
        return []
    hit = [target[2:] for target in _ENGINE_ADMIN if reaches(rule.path, target)]
    if hit:
        return [f"{_block(rule)} administers the engine ({', '.join(hit)}: {_caps(writes)})"]
    return []


def transit_administration(rule: PathRule) -> list[str]:
    if not _specific_engine_path(rule):
        return []
    hits = []
    writes = rule.grants & {"create", "update", "patch"}
    if writes:
        hits += [target for target in _TRANSIT_ADMIN_WRITE if reaches(rule.path, target)]
    if "delete" in rule.grants:
        hits += [target for target in _TRANSIT_ADMIN_DELETE if reaches(rule.path, target)]
    if "read" in rule.grants:
        hits += [target for target in _TRANSIT_ADMIN_READ if reaches(rule.path, target)]
    if hits:
        named = sorted({target.removeprefix("+/").removesuffix("$") for target in hits})
        return [f"{_block(rule)} administers transit keys ({', '.join(named)})"]
    return []


def kv_permanent_delete(rule: PathRule) -> list[str]:
    if not _specific_engine_path(rule):
        return []
    found = []
    if rule.grants & {"create", "update"} and reaches(rule.path, "+/destroy"):
        found.append(f"{_block(rule)} can destroy secret versions permanently")
    if "delete" in rule.grants and reaches(rule.path, "+/metadata"):
        found.append(f"{_block(rule)} can delete secret metadata (every version, permanently)")
    return found


PATH_RULES: tuple[tuple[str, Callable[[PathRule], list[str]]], ...] = (
    ("VP-ACL-001", catch_all),
    ("VP-ACL-002", sudo),
    ("VP-ACL-003", sys_endpoints),
    ("VP-ACL-004", token_creation),
    ("VP-ACL-005", auth_administration),
    ("VP-ACL-006", identity_writes),
    ("VP-ACL-007", policy_writes),
    ("VP-ACL-008", mount_wide_glob),
    ("VP-ACL-009", engine_administration),
    ("VP-ACL-010", transit_administration),
    ("VP-ACL-011", kv_permanent_delete),
)
_ALWAYS = frozenset({"VP-ACL-001", "VP-ACL-002"})


def check_acl(policy: AclPolicy) -> list[RawFinding]:
    found: list[RawFinding] = []
    for rule in policy.paths:
        catch_all_path = is_catch_all(rule.path)
        for rule_id, check in PATH_RULES:
            if catch_all_path and rule_id not in _ALWAYS:
                continue
            found.extend((rule_id, message) for message in check(rule))
    return found
