"""An in-memory Vault that answers the provider emulator's calls and enforces ACL policies the way the
server does (capabilities by path precedence, sudo on root-protected paths, create vs update, and both
list semantics of `allowed_parameters`). It lets every stack's provider calls be checked against the
CI policies offline, including the HashiCorp-Vault-only parts (audit devices, AWS) that the local
OpenBao cannot show. The integration tests check the same on a real server for the local stack.
"""

from __future__ import annotations

import fnmatch
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.unit.vault.acl_match import deciding_block

# Paths whose backend has an existence check: a write to a missing object needs `create`, to an
# existing one `update`. Everything else the provider writes is an update (measured on OpenBao 2.7.2:
# mounts, policies, identity, kv config, quotas, transit keys, auth configs; see docs/facts.md).
EXISTENCE_CHECKED = (
    "auth/*/role/*",
    "kv/metadata/*",  # KV v2 metadata (measured: docs/facts.md)
    "openai/roles/*",  # the OpenAI plugin's roles (assumed: granted both)
    "database/config/*",
    "database/roles/*",
    "database/static-roles/*",
    "aws/roles/*",
)
# sys/ paths Vault serves only with sudo (logical_system.go PathsSpecial.Root).
ROOT_PROTECTED = (
    "sys/auth/*",
    "sys/audit",
    "sys/audit/*",
    "sys/raw*",
    "sys/rotate",
    "sys/leases/revoke-force/*",
    "sys/plugins/catalog/*",  # read too (measured on OpenBao 2.7.2: docs/facts.md)
)


@dataclass
class Refused:
    method: str
    path: str
    reason: str


@dataclass
class FakeVault:
    version: str
    policies: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # token -> blocks (None: root)
    legacy_lists: bool = True  # OpenBao and Vault <= 1.20 compare a list parameter as a whole
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    mounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    auths: dict[str, dict[str, Any]] = field(default_factory=dict)
    audits: dict[str, dict[str, Any]] = field(default_factory=dict)
    entities: dict[str, dict[str, Any]] = field(default_factory=dict)
    aliases: dict[str, dict[str, Any]] = field(default_factory=dict)
    used_blocks: dict[str, set[str]] = field(default_factory=dict)  # token -> patterns that allowed a call
    refused: list[Refused] = field(default_factory=list)
    drift: bool = False  # reads answer changed values (as after edits outside the program)
    steady: set[str] = field(default_factory=set)  # paths that never drift

    # ------------------------------------------------------------------ ACL

    def _capability(self, method: str, path: str) -> str:
        if method == "GET":
            return "read"
        if method == "LIST":
            return "list"
        if method == "DELETE":
            return "delete"
        checked = any(fnmatch.fnmatch(path, p) for p in EXISTENCE_CHECKED) and not path.startswith("sys/")
        return "create" if checked and path not in self.objects else "update"

    def allowed(self, token: str, method: str, path: str, body: Mapping[str, Any] | None) -> str | None:
        """None when allowed, else why not."""
        if token not in self.policies:
            return "unknown token"
        policy = self.policies[token]
        if policy is None or path == "sys/seal-status":  # root, or an unauthenticated endpoint
            return None
        found = deciding_block(policy, path)
        if found is None:
            return "no block matches"
        pattern, block = found
        caps = set(block["capabilities"])
        needed = self._capability(method, path)
        if "deny" in caps or needed not in caps:
            return f"needs {needed}, block {pattern!r} grants {sorted(caps)}"
        if any(fnmatch.fnmatch(path, p) for p in ROOT_PROTECTED) and "sudo" not in caps:
            return f"root-protected, block {pattern!r} has no sudo"
        if body and method in ("PUT", "POST"):
            why = self._parameters(block, body)
            if why:
                return f"block {pattern!r}: {why}"
        self.used_blocks.setdefault(token, set()).add(pattern)
        return None

    def _parameters(self, block: Mapping[str, Any], body: Mapping[str, Any]) -> str | None:
        def params(key: str) -> dict[str, list[Any]]:
            found = block.get(key) or {}
            return found[0] if isinstance(found, list) else found

        denied, allowed = params("denied_parameters"), params("allowed_parameters")
        for name, value in body.items():
            if name in denied and self._value_in(value, denied[name], deny=True):
                return f"parameter {name} denied"
        if allowed and not (len(allowed) == 1 and "*" in allowed):
            for name, value in body.items():
                if name not in allowed:
                    if "*" not in allowed:
                        return f"parameter {name} not allowed"
                    continue
                if not self._value_in(value, allowed[name], deny=False):
                    return f"parameter {name}={json.dumps(value)[:80]} not among the allowed values"
        return None

    def _value_in(self, value: Any, values: list[Any], deny: bool) -> bool:
        if not values:
            return True

        def one(v: Any) -> bool:
            for el in values:
                if isinstance(el, str) and isinstance(v, str):
                    if (
                        el == v
                        or (el.endswith("*") and v.startswith(el[:-1]))
                        or (el.startswith("*") and v.endswith(el[1:]))
                    ):
                        return True
                elif el == v and type(el) is type(v):
                    return True
            return False

        if one(value):
            return True
        if self.legacy_lists:
            return False
        parts = value if isinstance(value, list) else value.split(",") if isinstance(value, str) else None
        if parts is None:
            return False
        return any(one(p) for p in parts) if deny else all(one(p) for p in parts)

    # ------------------------------------------------------------------ the server

    def handle(self, token: str, method: str, path: str, body: Mapping[str, Any] | None) -> tuple[int, Any]:
        path = path.split("?", 1)[0]  # a query (e.g. a plugin's ?version=) is not part of the ACL path
        why = self.allowed(token, method, path, body)
        if why is not None:
            self.refused.append(Refused(method, path, why))
            return 403, {"errors": ["1 error occurred:\n\t* permission denied\n\n"]}
        body = dict(body or {})
        if (
            self.drift
            and method == "GET"
            and path not in {"sys/seal-status", "auth/token/lookup-self", *self.steady}
        ):
            status, parsed = self._route(method, path, body)
            if isinstance(parsed, dict) and isinstance(parsed.get("data"), dict):
                parsed = {**parsed, "data": _drifted(parsed["data"])}
            return status, parsed
        if path == "sys/seal-status":
            return 200, {"version": self.version, "sealed": False}
        if path == "auth/token/lookup-self":
            return 200, {"data": {"policies": ["x"], "ttl": 900}}
        if path == "auth/token/create":
            child = f"child-of-{token}"
            self.policies[child] = self.policies[token]  # a child carries its parent's policies
            return 200, {"auth": {"client_token": child}}
        return self._route(method, path, body)

    def _route(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:  # noqa: C901 -- a flat route table
        if path.startswith("sys/mounts/auth/"):
            name = path.removeprefix("sys/mounts/auth/")
            if name.endswith("/tune"):
                tunes = self.objects.setdefault(f"sys/mounts/auth/{name}", {"default_lease_ttl": 0})
                if method == "GET":
                    return 200, {"data": dict(tunes)}
                tunes.update(body)
                return 204, None
            found = self.auths.get(name)
            return (200, {"data": found}) if found else (400, {"errors": [f"No auth engine at auth/{name}/"]})
        if path.startswith("sys/mounts/"):
            name = path.removeprefix("sys/mounts/")
            if name.endswith("/tune"):
                return (200, {"data": {}}) if method == "GET" else (204, None)
            if method == "POST":
                if name in self.mounts:
                    return 400, {"errors": [f"path is already in use at {name}/"]}
                config = dict(body.get("config") or {})
                for ttl in ("default_lease_ttl", "max_lease_ttl"):  # the server answers seconds
                    if isinstance(config.get(ttl), str) and config[ttl].endswith("s"):
                        config[ttl] = int(config[ttl][:-1] or 0)
                self.mounts[name] = {
                    **body,
                    "config": config,
                    "accessor": f"{body['type']}_{uuid.uuid4().hex[:8]}",
                }
                return 204, None
            if method == "DELETE":
                self.mounts.pop(name, None)
                return 204, None
            found = self.mounts.get(name)
            return (
                (200, {"data": found}) if found else (400, {"errors": [f"No secret engine mount at {name}/"]})
            )
        if path.startswith("sys/auth/"):
            name = path.removeprefix("sys/auth/")
            if method == "POST":
                if name in self.auths:
                    return 400, {"errors": [f"path is already in use at auth/{name}/"]}
                self.auths[name] = {**body, "accessor": f"auth_{body['type']}_{uuid.uuid4().hex[:8]}"}
            elif method == "DELETE":
                self.auths.pop(name, None)
            return 204, None
        if path == "sys/audit":
            return 200, {"data": {f"{k}/": v for k, v in self.audits.items()}}
        if path.startswith("sys/audit/"):
            self.audits[path.removeprefix("sys/audit/")] = body
            return 204, None
        if path == "identity/entity":
            for entity in self.entities.values():
                if entity["name"] == body.get("name"):
                    entity.update(body)
                    return 204, None
            entity_id = str(uuid.uuid4())
            self.entities[entity_id] = {**body, "id": entity_id}
            return 200, {"data": {"id": entity_id, "name": body.get("name")}}
        if path.startswith("identity/entity/id/"):
            entity_id = path.rsplit("/", 1)[-1]
            if method == "GET":
                found = self.entities.get(entity_id)
                return (200, {"data": found}) if found else (404, None)
            if method == "DELETE":
                self.entities.pop(entity_id, None)
                return 204, None
            self.entities[entity_id].update(body)
            return 204, None
        if path == "identity/lookup/entity":
            for alias in self.aliases.values():
                if (alias["name"], alias["mount_accessor"]) == (
                    body["alias_name"],
                    body["alias_mount_accessor"],
                ):
                    return 200, {"data": {"aliases": [alias]}}
            return 204, None
        if path == "identity/entity-alias":
            alias_id = str(uuid.uuid4())
            self.aliases[alias_id] = {**body, "id": alias_id}
            return 200, {"data": {"id": alias_id}}
        if path.startswith("identity/entity-alias/id/"):
            alias_id = path.rsplit("/", 1)[-1]
            if method == "GET":
                found = self.aliases.get(alias_id)
                return (200, {"data": found}) if found else (404, None)
            if method == "DELETE":
                self.aliases.pop(alias_id, None)
                return 204, None
            self.aliases[alias_id].update(body)
            return 204, None
        routed = self._people(method, path, body)
        if routed is not None:
            return routed
        if method == "GET":
            found = self.objects.get(path)
            return (200, {"data": found}) if found is not None else (404, None)
        if method == "DELETE":
            self.objects.pop(path, None)
            return 204, None
        if fnmatch.fnmatch(path, "database/config/*") and isinstance(body.get("allowed_roles"), str):
            body["allowed_roles"] = [r for r in body["allowed_roles"].split(",") if r]  # the server's list
        self.objects[path] = {**self.objects.get(path, {}), **body}
        return 204, None

    def _people(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any] | None:
        """Identity groups, group aliases and TOTP methods: objects whose id the server assigns."""
        for create, by_id, kind, id_key in (
            ("identity/group", "identity/group/id/", "group", "id"),
            ("identity/group-alias", "identity/group-alias/id/", "group-alias", "id"),
            ("identity/mfa/method/totp", "identity/mfa/method/totp/", "totp", "method_id"),
        ):
            if path == create and method in ("PUT", "POST"):
                for object_id, found in self.objects.items():
                    if (
                        kind == "group"
                        and object_id.startswith(by_id)
                        and found.get("name") == body.get("name")
                    ):
                        found.update(body)
                        return 204, None
                object_id = str(uuid.uuid4())
                self.objects[f"{by_id}{object_id}"] = {**body, "id": object_id}
                return 200, {"data": {id_key: object_id, "id": object_id}}
            if path.startswith(by_id) and path.count("/") == by_id.count("/"):
                return None  # the generic object store: GET, DELETE, update by id
        return None


_KEEP = ("accessor", "id", "type", "name", "mount_accessor", "canonical_id", "db_name", "plugin_name")


def _drifted(data: dict[str, Any]) -> dict[str, Any]:
    """Every setting a little different (identifiers kept, so the objects are still found)."""

    def change(value: Any) -> Any:
        if isinstance(value, bool):
            return not value
        if isinstance(value, int | float):
            return value + 1
        if isinstance(value, str):
            return value + "-drifted"
        if isinstance(value, list):
            return [*value, "drifted"]
        if isinstance(value, dict):
            return {**value, "drifted": "yes"}
        return value

    return {k: v if k in _KEEP else change(v) for k, v in data.items()}
