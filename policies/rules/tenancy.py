"""Who owns which path: the tenant layout the ACL rules judge "reaches another tenant" against.

A secrets-engine mount holds many tenants (services). Below the mount (and its operation segment, e.g. KV v2
`data/`, database `creds/`) each layout names where a tenant sits:

- a configured mount (from the stack config: the KV mount with `apps/<service>/` and
  `ai/providers/<provider>/<service>`, the transit, database and AWS mounts with one role or key per
  name) is judged strictly: every tenant segment must be fixed (a literal, or an identity template that is
  the whole segment: the caller's own tenant); anywhere else under the mount the first segment is the tenant;
- a per-application mount (`secret-<app>/`, patterns configured) is one tenant as a whole;
- any other mount (a foreign policy's) has an unknown layout: the pattern stays in one tenant when a scope
  segment is fixed before its first glob; `+` before it reads as a level above the tenant (an environment, a
  region), as in the `secret/+/teamb` layout of Vault's own policy documentation.

A `+`, a partial glob (`kv/d*`) or a template mixed with other text matches anything in its segment; a
template followed by a glob (`{{x}}*`) matches everything below. A whole-segment template at a literal
position of a configured layout (`kv/data/{{x}}/...` where `apps/` is a tenant root) can be that literal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Protocol

from policies.rules.acl_paths import ANY, LIT, PREFIX, TEMPLATE, Pattern, Segment, parse_pattern

RESERVED_MOUNTS = frozenset({"sys", "auth", "identity", "cubbyhole"})
CONTROL_MOUNTS = frozenset({"sys", "auth", "identity"})

# The operation segments of each engine kind: the tenant's scope starts after them.
OPERATIONS: dict[str, frozenset[str]] = {
    "kv-v2": frozenset({"data", "metadata", "delete", "undelete", "destroy", "subkeys", "config"}),
    "database": frozenset(
        {
            "creds",
            "static-creds",
            "roles",
            "static-roles",
            "config",
            "rotate-root",
            "rotate-role",
            "reset",
            "reload",
        }
    ),
    "aws": frozenset({"creds", "sts", "roles", "config", "static-creds", "static-roles"}),
    "transit": frozenset(
        {
            "encrypt",
            "decrypt",
            "rewrap",
            "datakey",
            "keys",
            "sign",
            "verify",
            "hmac",
            "hash",
            "random",
            "export",
            "backup",
            "restore",
            "cache-config",
            "config",
            "byok-export",
            "wrapping_key",
        }
    ),
    "pki": frozenset(
        {
            "issue",
            "sign",
            "sign-verbatim",
            "sign-intermediate",
            "cert",
            "certs",
            "issuer",
            "issuers",
            "root",
            "intermediate",
            "revoke",
            "revoke-with-key",
            "ca",
            "ca_chain",
            "crl",
            "key",
            "keys",
            "tidy",
            "roles",
            "config",
        }
    ),
}
# A foreign mount whose second segment is one of these is read as an engine with an operation segment.
ANY_OPERATION = frozenset().union(*OPERATIONS.values()) | frozenset({"ssh", "otp", "creds"})
# Operations whose scope sits one segment deeper: transit export/<type>/<key>, datakey/<type>/<key>.
_DEEPER = frozenset({"export", "datakey", "byok-export"})

KV_TENANT_ROOTS: tuple[tuple[str, ...], ...] = (("apps", "+"), ("ai", "providers", "+", "+"))


@dataclass(frozen=True)
class MountLayout:
    kind: str  # a key of OPERATIONS, or "kv-v1" / "engine" (no operation segment)
    roots: tuple[tuple[str, ...], ...] = ()  # tenant roots under the operation segment; "+" = tenant segment


@dataclass(frozen=True)
class LintContext:
    """What the linter knows about the deployment: configured mounts, per-app mounts, namespaces."""

    mounts: tuple[tuple[str, MountLayout], ...] = ()
    app_mounts: tuple[str, ...] = ()  # fnmatch patterns of mounts that each belong to one application
    namespaces: tuple[str, ...] = ()  # namespace paths (e.g. "ns1", "team/ns2")

    def layout(self, mount: str) -> MountLayout | None:
        return next((layout for name, layout in self.mounts if name == mount), None)

    def is_app_mount(self, mount: str) -> bool:
        return any(fnmatchcase(mount, pattern) for pattern in self.app_mounts)

    def with_app_mounts(self, patterns: Iterable[str]) -> LintContext:
        return LintContext(self.mounts, tuple(self.app_mounts) + tuple(patterns), self.namespaces)

    def with_namespaces(self, names: Iterable[str]) -> LintContext:
        return LintContext(self.mounts, self.app_mounts, tuple(self.namespaces) + tuple(names))


class _KvLike(Protocol):
    path: str


class _MountLike(Protocol):
    path: str


class StackLike(Protocol):
    """The parts of infra.config.StackConfig the layout needs (typed loosely: policies/ does not import infra)."""

    kv: _KvLike
    transit: _MountLike
    database: _MountLike | None
    aws: _MountLike | None


def context_for_mounts(
    kv: str = "kv", transit: str = "transit", database: str | None = "database", aws: str | None = "aws"
) -> LintContext:
    mounts = [(kv, MountLayout("kv-v2", KV_TENANT_ROOTS)), (transit, MountLayout("transit"))]
    if database:
        mounts.append((database, MountLayout("database")))
    if aws:
        mounts.append((aws, MountLayout("aws")))
    return LintContext(tuple(mounts))


def context_for_stack(cfg: StackLike) -> LintContext:
    """The layout of one stack: its KV, transit, database and AWS mounts as configured."""
    return context_for_mounts(
        cfg.kv.path,
        cfg.transit.path,
        cfg.database.path if cfg.database else None,
        cfg.aws.path if cfg.aws else None,
    )


# The stack config's defaults: what `vaultctl lint-policy` and the pack assume without a stack.
DEFAULT_CONTEXT = context_for_mounts()


def namespace_split(path: str, context: LintContext) -> tuple[str, str]:
    """(namespace prefix, path inside it). A path is namespaced when it starts with a configured namespace,
    or when `sys/`, `auth/` or `identity/` appear after segments that are not a mount or an operation."""
    for namespace in sorted(context.namespaces, key=len, reverse=True):
        prefix = namespace.strip("/") + "/"
        if path.startswith(prefix):
            inner = path[len(prefix) :]
            deeper, rest = namespace_split(inner, context)
            return prefix + deeper, rest
    segments = path.split("/")
    if segments[0] in RESERVED_MOUNTS or context.layout(segments[0]) or context.is_app_mount(segments[0]):
        return "", path
    for index in range(1, len(segments) - 1):
        head = segments[:index]
        if segments[index] in CONTROL_MOUNTS and not any(
            "*" in part or part in ANY_OPERATION for part in head
        ):
            return "/".join(head) + "/", "/".join(segments[index:])
    return "", path


@dataclass(frozen=True)
class Spread:
    """Where a pattern leaves one tenant: the unit it spans and the literal head it spans under."""

    unit: str
    under: str


def tenant_spread(path: str, context: LintContext) -> Spread | None:
    """How `path` reaches more than one tenant of a secrets-engine mount, or None when it stays in one."""
    _, inner = namespace_split(path, context)
    pattern = parse_pattern(inner)
    segments = pattern.segments
    mount = segments[0]
    if mount.kind != LIT:
        return Spread("mount", mount.text if mount.kind == PREFIX else "")
    if mount.text in RESERVED_MOUNTS or context.is_app_mount(mount.text) or len(segments) == 1:
        return None
    layout = context.layout(mount.text)
    rest = segments[1:]
    head = [mount.text]
    operations = OPERATIONS.get(layout.kind) if layout else None
    if layout is None and rest[0].kind == LIT and rest[0].text in ANY_OPERATION:
        operations = ANY_OPERATION
    if operations is not None:
        operation = rest[0]
        if operation.kind == PREFIX:
            return Spread("operation segment", _join(head))
        if operation.kind == LIT or layout is not None:
            # transit export/<type>/<key>: the key type is a level above the tenant (the key).
            skip = 2 if operation.kind == LIT and operation.text in _DEEPER else 1
            head += [s.text if s.kind == LIT else "+" for s in rest[:skip]]
            rest = rest[skip:]
    if not rest:
        return None
    if layout is None:
        return _pinned_spread(rest, head)
    if not rest[0].fixed():
        return Spread("scope", _join(head))
    for root in layout.roots:
        spread = _root_spread(rest, root, head)
        if spread:
            return spread
    return None


def _join(parts: list[str]) -> str:
    return "/".join(parts) + "/"


def _root_spread(scope: tuple[Segment, ...], root: tuple[str, ...], head: list[str]) -> Spread | None:
    walked = list(head)
    for index, wanted in enumerate(root):
        if index >= len(scope):
            return None  # the pattern ends above the tenant (e.g. listing `apps/`)
        segment = scope[index]
        if wanted == "+":
            if segment.kind in (LIT, TEMPLATE):
                walked.append(segment.text)
                continue
            return Spread(_tenant_unit(root), _join(walked))
        if segment.kind == LIT:
            if segment.text != wanted:
                return None
        elif segment.kind == PREFIX:
            return Spread(_tenant_unit(root), _join(walked)) if wanted.startswith(segment.text) else None
        walked.append(wanted)
    return None


def _tenant_unit(root: tuple[str, ...]) -> str:
    shown = "/".join("<service>" if part == "+" else part for part in root)
    if root[0] == "ai":
        shown = "ai/providers/<provider>/<service>"
    return f"tenant ({shown})"


def _pinned_spread(scope: tuple[Segment, ...], head: list[str]) -> Spread | None:
    """Foreign layout: one tenant when a fixed segment comes before any glob (`+` levels above it)."""
    for segment in scope:
        if segment.fixed():
            return None
        if segment.kind == PREFIX:
            break
    return Spread("scope", _join(head))


def values_confined(values: Iterable[str], context: LintContext) -> bool:
    """Parameter values (allowed_parameters globs, e.g. lease IDs) that each stay within one tenant."""
    listed = list(values)
    if not listed:
        return False
    for value in listed:
        if value.startswith("*") or "{{" in value:
            return False
        head = value.split("/", 1)[0]
        if head in RESERVED_MOUNTS or tenant_spread(value, context) is not None:
            return False
    return True


__all__ = [
    "ANY",
    "DEFAULT_CONTEXT",
    "LintContext",
    "MountLayout",
    "Pattern",
    "Spread",
    "context_for_mounts",
    "context_for_stack",
    "namespace_split",
    "tenant_spread",
    "values_confined",
]
