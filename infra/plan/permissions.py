"""Effective permissions per identity, computed from the declared resources alone (no server).

An identity is a login role of any auth method (`vault:<method>/authBackendRole:AuthBackendRole`:
Kubernetes, JWT, AppRole, ...). Its token carries the role's `token_policies` (plus Vault's `default`
unless `token_no_default_policy`), the policies of the identity entity it logs in as and of that
entity's groups. The entity is found as Vault finds it: the login's alias name on the role's mount
(`namespace/service-account` for Kubernetes roles with `alias_name_source = serviceaccount_name`, the
`user_claim`'s bound value for JWT roles) matched against the declared `EntityAlias` resources.

Policy text is parsed through `infra.plan.acl`; templated paths are expanded with the entity's
declared name and metadata (`{{identity.entity.metadata.service}}`), and kept symbolic otherwise
(the path is shown with its template: what a login would fill in is not known from the declarations,
so the grant is listed rather than assumed away).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from infra.plan.acl import ParseError, path_capabilities
from infra.plan.model import Resource, Snapshot

CAPABILITY_ORDER = ("create", "read", "update", "patch", "delete", "list", "sudo", "deny")
ROOT_CAPABILITIES = frozenset(CAPABILITY_ORDER) - {"deny"}
_ROLE = re.compile(r"^vault:([A-Za-z0-9]+)/authBackendRole:AuthBackendRole$")
_TEMPLATE = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
_NOT_LOGIN_ROLES = {"token"}  # token roles constrain token creation; nobody logs in through them
POLICY = "vault:index/policy:Policy"
ENTITY = "vault:identity/entity:Entity"
ALIAS = "vault:identity/entityAlias:EntityAlias"
GROUP = "vault:identity/group:Group"
GROUP_ALIAS = "vault:identity/groupAlias:GroupAlias"
ENTITY_POLICIES = "vault:identity/entityPolicies:EntityPolicies"
GROUP_POLICIES = "vault:identity/groupPolicies:GroupPolicies"
MOUNT = "vault:index/mount:Mount"


def capability_list(capabilities: Iterable[str]) -> list[str]:
    """Capabilities in Vault's documentation order (stable output)."""
    caps = set(capabilities)
    return [c for c in CAPABILITY_ORDER if c in caps] + sorted(caps - set(CAPABILITY_ORDER))


@dataclass(frozen=True)
class Identity:
    key: str  # `<auth mount>/<role>`, e.g. `kubernetes/billing`, `jwt/deployer`
    method: str  # the auth method module: kubernetes, jwt, appRole, ...
    urn: str
    policies: tuple[str, ...]
    entities: tuple[str, ...]  # entity names its logins resolve to (declared aliases)
    grants: Mapping[str, frozenset[str]]  # path -> effective capabilities (`deny` alone when denied)
    sources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # path -> granting policies
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Entity:
    name: str
    metadata: Mapping[str, str]
    policies: tuple[str, ...]


def _list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [] if value in (None, "") else [str(value)]


def _auth_mounts(snapshot: Snapshot) -> dict[str, str]:
    """Auth backend URN -> mount path."""
    mounts = {}
    for r in snapshot.resources:
        if r.type.endswith("/authBackend:AuthBackend"):
            module = r.type.split(":")[1].split("/")[0]
            default = r.inputs.get("type") or (module if module != "index" else "")
            mounts[r.urn] = str(r.inputs.get("path") or default)
    return mounts


def mounts(snapshot: Snapshot) -> list[str]:
    """Every mount the program declares, as the API path prefix (`kv`, `auth/kubernetes`)."""
    found = {f"auth/{path}" for path in _auth_mounts(snapshot).values() if path}
    for r in snapshot.resources:
        if r.type == MOUNT or r.type.endswith("/secretBackend:SecretBackend"):
            path = r.inputs.get("path")
            if isinstance(path, str) and path:
                found.add(path.strip("/"))
    return sorted(found)


def mount_of(path: str, declared: Iterable[str]) -> str:
    """The mount a policy path falls under: the longest declared one, else Vault's built-in layout."""
    candidates = [m for m in declared if path == m or path.startswith(m + "/")]
    if candidates:
        return max(candidates, key=len)
    segments = path.split("/")
    if segments[0] == "auth" and len(segments) > 1:
        return "/".join(segments[:2])
    return segments[0] or path


def _entities(snapshot: Snapshot) -> tuple[dict[str, _Entity], dict[tuple[str, str], list[str]]]:
    """Entities by URN, and (auth mount, alias name) -> entity URNs."""
    entities = {
        r.urn: _Entity(
            str(r.inputs.get("name") or r.name),
            {str(k): str(v) for k, v in (r.inputs.get("metadata") or {}).items()},
            tuple(_list(r.inputs.get("policies"))),
        )
        for r in snapshot.of_type(ENTITY)
    }
    extra: dict[str, list[str]] = {}
    for r in snapshot.of_type(ENTITY_POLICIES):
        for urn in r.dependency_urns("entityId"):
            if urn in entities:
                extra.setdefault(urn, []).extend(_list(r.inputs.get("policies")))
    for urn, names in extra.items():
        e = entities[urn]
        entities[urn] = _Entity(e.name, e.metadata, (*e.policies, *names))

    auth = _auth_mounts(snapshot)
    aliases: dict[tuple[str, str], list[str]] = {}
    for r in snapshot.of_type(ALIAS):
        owners = [u for u in r.dependency_urns("canonicalId") if u in entities]
        backends = [auth[u] for u in r.dependency_urns("mountAccessor") if u in auth]
        for backend, owner in itertools.product(backends, owners):
            aliases.setdefault((backend, str(r.inputs.get("name", ""))), []).append(owner)
    return entities, aliases


def _group_policies(snapshot: Snapshot, entity_urns: set[str]) -> dict[str, list[str]]:
    """Entity URN -> policies of the (internal) groups it is a declared member of."""
    groups: dict[str, tuple[list[str], list[str]]] = {}
    for r in snapshot.of_type(GROUP):
        members = [u for u in r.dependency_urns("memberEntityIds") if u in entity_urns]
        groups[r.urn] = (_list(r.inputs.get("policies")), members)
    for r in snapshot.of_type(GROUP_POLICIES):
        for urn in r.dependency_urns("groupId"):
            if urn in groups:
                groups[urn][0].extend(_list(r.inputs.get("policies")))
    out: dict[str, list[str]] = {}
    for policies, members in groups.values():
        for member in members:
            out.setdefault(member, []).extend(policies)
    return out


def _login_alias_names(method: str, inputs: Mapping[str, Any]) -> list[str]:
    """The alias names a login through this role can carry, when the role pins them exactly."""
    if method == "kubernetes":
        if inputs.get("aliasNameSource") != "serviceaccount_name":
            return []  # the default alias is the service account's UID: unknown before it exists
        namespaces = _list(inputs.get("boundServiceAccountNamespaces"))
        accounts = _list(inputs.get("boundServiceAccountNames"))
        pairs = itertools.product(namespaces, accounts)
        return [f"{ns}/{sa}" for ns, sa in pairs if "*" not in ns + sa]
    if method == "jwt":
        claim = str(inputs.get("userClaim") or "sub")
        bound = (inputs.get("boundClaims") or {}).get(claim)
        if bound is None or inputs.get("boundClaimsType", "string") != "string":
            return []
        return [v for v in str(bound).split(",") if v]
    return []


def _expand(path: str, entity: _Entity | None) -> str | None:
    """The path with identity templates filled from the entity, or None when one does not resolve."""
    if entity is None:
        return None

    def value(match: re.Match[str]) -> str:
        ref = match.group(1)
        if ref == "identity.entity.name":
            return entity.name
        if ref.startswith("identity.entity.metadata.") and ref.split(".", 3)[3] in entity.metadata:
            return entity.metadata[ref.split(".", 3)[3]]
        raise KeyError(ref)

    try:
        return _TEMPLATE.sub(value, path)
    except KeyError:
        return None


def _policy_texts(snapshot: Snapshot) -> dict[str, str]:
    return {str(r.inputs.get("name") or r.name): r.inputs.get("policy", "") for r in snapshot.of_type(POLICY)}


def identities(snapshot: Snapshot) -> dict[str, Identity]:
    """Every login identity the program declares, with what its token may do."""
    texts = _policy_texts(snapshot)
    entities, aliases = _entities(snapshot)
    group_policies = _group_policies(snapshot, set(entities))
    found: dict[str, Identity] = {}
    for r in snapshot.resources:
        match = _ROLE.match(r.type)
        if not match or match.group(1) in _NOT_LOGIN_ROLES:
            continue
        method = match.group(1)
        backend = str(r.inputs.get("backend") or method)
        role = str(r.inputs.get("roleName") or r.inputs.get("role") or r.name)
        entity_urns = sorted(
            {u for name in _login_alias_names(method, r.inputs) for u in aliases.get((backend, name), [])}
        )
        policies = _list(r.inputs.get("tokenPolicies") or r.inputs.get("policies"))
        if not r.inputs.get("tokenNoDefaultPolicy"):
            policies.append("default")
        for urn in entity_urns:
            policies += [*entities[urn].policies, *group_policies.get(urn, [])]
        key = f"{backend}/{role}"
        found[key] = _access(key, method, r, sorted(set(policies)), [entities[u] for u in entity_urns], texts)
        if r.inputs.get("roleType") == "oidc" and r.inputs.get("groupsClaim"):
            # People: the login also carries the policies of the external group its IdP group maps to.
            for idp_group, extra in _external_groups(snapshot, backend).items():
                person = f"{key}[{idp_group}]"
                found[person] = _access(person, method, r, sorted({*policies, *extra}), [], texts)
    return dict(sorted(found.items()))


def _external_groups(snapshot: Snapshot, backend: str) -> dict[str, list[str]]:
    """IdP group name -> policies of the external group aliased to it on this auth mount."""
    auth = _auth_mounts(snapshot)
    groups = {r.urn: _list(r.inputs.get("policies")) for r in snapshot.of_type(GROUP)}
    out: dict[str, list[str]] = {}
    for r in snapshot.of_type(GROUP_ALIAS):
        if backend not in [auth[u] for u in r.dependency_urns("mountAccessor") if u in auth]:
            continue
        for urn in r.dependency_urns("canonicalId"):
            if urn in groups:
                out.setdefault(str(r.inputs.get("name", "")), []).extend(groups[urn])
    return out


def _access(
    key: str,
    method: str,
    role: Resource,
    policies: list[str],
    entities: list[_Entity],
    texts: Mapping[str, str],
) -> Identity:
    granted: dict[str, set[str]] = {}
    sources: dict[str, set[str]] = {}
    notes = []

    def grant(path: str, capabilities: Iterable[str], policy: str) -> None:
        granted.setdefault(path, set()).update(capabilities)
        sources.setdefault(path, set()).add(policy)

    for policy in policies:
        if policy == "root":
            grant("*", ROOT_CAPABILITIES, policy)
            notes.append("root policy: every path, every capability")
            continue
        if policy not in texts:
            origin = "Vault's built-in policy" if policy == "default" else "no such policy declared"
            notes.append(
                f"policy {policy}: not declared by this program ({origin}); its grants are not shown"
            )
            continue
        text = texts[policy]
        if not isinstance(text, str) or text == "[secret]":
            notes.append(f"policy {policy}: text is not known at plan time; its grants are not shown")
            continue
        try:
            rules = path_capabilities(text)
        except ParseError as error:
            notes.append(f"policy {policy}: unparsable ({error}); its grants are not shown")
            continue
        for path, capabilities in rules:
            expanded = {_expand(path, e) for e in entities} if "{{" in path else {path}
            for concrete in sorted(p if p is not None else path for p in expanded or {path}):
                grant(concrete, capabilities, policy)
    grants = {p: frozenset({"deny"}) if "deny" in c else frozenset(c) for p, c in sorted(granted.items())}
    return Identity(
        key=key,
        method=method,
        urn=role.urn,
        policies=tuple(policies),
        entities=tuple(sorted(e.name for e in entities)),
        grants=grants,
        sources={p: tuple(sorted(s)) for p, s in sorted(sources.items())},
        notes=tuple(sorted(set(notes))),
    )


@dataclass(frozen=True)
class IdentityChange:
    key: str
    status: str  # added | removed | changed
    gained: Mapping[str, frozenset[str]]  # path -> capabilities gained
    lost: Mapping[str, frozenset[str]]
    policies_added: tuple[str, ...]
    policies_removed: tuple[str, ...]
    old: Identity | None
    new: Identity | None


def permission_diff(old: Mapping[str, Identity], new: Mapping[str, Identity]) -> list[IdentityChange]:
    """Per identity, the capabilities gained and lost on each path (sorted; unchanged ones left out)."""
    changes = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        before = a.grants if a else {}
        after = b.grants if b else {}
        gained = {p: after[p] - before.get(p, frozenset()) for p in sorted(after)}
        lost = {p: before[p] - after.get(p, frozenset()) for p in sorted(before)}
        gained = {p: c for p, c in gained.items() if c}
        lost = {p: c for p, c in lost.items() if c}
        pa, pb = set(a.policies if a else ()), set(b.policies if b else ())
        if a and b and not gained and not lost and pa == pb:
            continue
        status = "added" if a is None else "removed" if b is None else "changed"
        changes.append(
            IdentityChange(key, status, gained, lost, tuple(sorted(pb - pa)), tuple(sorted(pa - pb)), a, b)
        )
    return changes


_Pairs = dict[tuple[str, str], set[tuple[str, str]]]  # (identity, mount) -> {(path, capability)}


@dataclass(frozen=True)
class Edge:
    identity: str
    mount: str
    status: str  # added | removed | changed | same
    old: frozenset[str]  # capabilities on any of the mount's paths, before
    new: frozenset[str]
    gained: frozenset[str]  # capabilities gained on some path of the mount
    lost: frozenset[str]


def edges(
    old: Mapping[str, Identity] | None,
    new: Mapping[str, Identity],
    old_mounts: Iterable[str],
    new_mounts: Iterable[str],
) -> list[Edge]:
    """Which identity reaches which mount, old vs new; compared path by path, so a capability moving
    to another path of the same mount still marks the edge changed."""

    def reach(ids: Mapping[str, Identity], declared: list[str]) -> _Pairs:
        out: _Pairs = {}
        for identity in ids.values():
            for path, caps in identity.grants.items():
                pairs = out.setdefault((identity.key, mount_of(path, declared)), set())
                pairs.update((path, c) for c in caps)
        return out

    after = reach(new, sorted(new_mounts))
    before = reach(old, sorted(old_mounts)) if old is not None else after
    result = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key, set()), after.get(key, set())
        status = "added" if not a else "removed" if not b else "same" if a == b else "changed"
        result.append(
            Edge(
                key[0],
                key[1],
                status,
                frozenset(c for _, c in a),
                frozenset(c for _, c in b),
                frozenset(c for _, c in b - a),
                frozenset(c for _, c in a - b),
            )
        )
    return result
