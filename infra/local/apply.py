"""The applier: turns each `vault:*` resource the program declares into the Vault API writes the
Terraform provider (which pulumi-vault wraps) makes, with `hvac`, against a real server.

`run_program(stack, hook=Applier(client))` calls it for every custom resource in declaration order
(dependencies first). The map below is explicit: a type it does not know stops the apply and names
the type, so a new resource in the Vault layer cannot be silently skipped locally. Every write is an
upsert or guarded by a read, so applying twice is safe.

Input names arrive camelCase (the provider schema); the API takes snake_case. A write whose response
warns about unrecognized parameters fails too: that is a field this map sends to the wrong place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import hvac

from infra.harness import DeclaredResource, unwrap


class ApplyError(RuntimeError):
    """A resource could not be applied; the message names its type and logical name."""


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _plain(value: Any) -> Any:
    # Mocks hand numbers over as floats (10.0); the API wants integers for counts and seconds.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _fields(inputs: Mapping[str, Any], drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """snake_case API fields from camelCase inputs, minus the ones that address the object."""
    return {_snake(k): _plain(v) for k, v in inputs.items() if k not in drop}


Handler = Callable[["Applier", str, dict[str, Any]], dict[str, Any]]


class Applier:
    """The `run_program` hook: each declared `vault:*` resource becomes real API writes."""

    def __init__(self, client: hvac.Client) -> None:
        self.client = client
        self.applied: list[tuple[str, str]] = []
        self.skipped: list[tuple[str, str]] = []

    def __call__(self, resource: DeclaredResource) -> Mapping[str, Any]:
        if resource.type.startswith("pulumi:providers:"):
            return {}  # the provider's own address/token are ours to choose locally
        handler = HANDLERS.get(resource.type)
        if handler is None:
            known = ", ".join(sorted(HANDLERS))
            raise ApplyError(
                f"{resource.type} ({resource.name}): no local handler for this resource type; "
                f"add one to infra/local/apply.py (known: {known})"
            )
        inputs = unwrap(dict(resource.inputs))
        try:
            outputs = handler(self, resource.name, inputs)
        except hvac.exceptions.VaultError as err:
            # hvac's message is the server's error list; it never echoes request bodies.
            raise ApplyError(f"{resource.type} ({resource.name}): {err}") from None
        self.applied.append((resource.type, resource.name))
        return outputs

    # ------------------------------------------------------------------ raw API helpers

    def read(self, path: str) -> dict[str, Any] | None:
        try:
            response = self.client.adapter.get(f"/v1/{path}")
        except hvac.exceptions.InvalidPath:
            return None
        return response if isinstance(response, dict) else None

    def list(self, path: str) -> dict[str, Any]:
        try:
            response = self.client.adapter.list(f"/v1/{path}")
        except hvac.exceptions.InvalidPath:
            return {}
        return (response or {}).get("data", {}) if isinstance(response, dict) else {}

    def write(self, name: str, path: str, data: Mapping[str, Any], method: str = "post") -> dict[str, Any]:
        response = getattr(self.client.adapter, method)(f"/v1/{path}", json=dict(data))
        body = response if isinstance(response, dict) else {}
        for warning in body.get("warnings") or []:
            if "unrecognized parameters" in warning or "ignored" in warning:
                raise ApplyError(f"{name}: {path}: the server ignored fields: {warning}")
        return body


# ---------------------------------------------------------------------- handlers, one per type


def _policy(a: Applier, name: str, i: dict[str, Any]) -> dict[str, Any]:
    a.write(name, f"sys/policies/acl/{i['name']}", {"policy": i["policy"]}, method="put")
    return {}


_MOUNT_TUNABLE = ("description", "default_lease_ttl", "max_lease_ttl", "options")


def _mount(a: Applier, name: str, i: dict[str, Any]) -> dict[str, Any]:
    path = i["path"].strip("/")
    existing = (a.read("sys/mounts") or {}).get("data", {}).get(f"{path}/")
    config = {}
    for key_in, key_api in (
        ("defaultLeaseTtlSeconds", "default_lease_ttl"),
        ("maxLeaseTtlSeconds", "max_lease_ttl"),
    ):
        if i.get(key_in):
            config[key_api] = _plain(i[key_in])
    if existing is None:
        a.write(
            name,
            f"sys/mounts/{path}",
            {
                "type": i["type"],
                "description": i.get("description", ""),
                "options": i.get("options") or {},
                "config": config,
                "local": bool(i.get("local", False)),
                "seal_wrap": bool(i.get("sealWrap", False)),
            },
        )
    else:
        if existing["type"] != i["type"]:
            raise ApplyError(f"{name}: {path}/ is already a {existing['type']} mount, not {i['type']}")
        tune = {"description": i.get("description", ""), **config}
        if i.get("options"):
            tune["options"] = i["options"]
        a.write(name, f"sys/mounts/{path}/tune", tune)
    mount = (a.read("sys/mounts") or {})["data"][f"{path}/"]
    return {"accessor": mount["accessor"], "path": path}


def _enable_auth(a: Applier, name: str, path: str, kind: str, description: str) -> str:
    path = path.strip("/")
    existing = (a.read("sys/auth") or {}).get("data", {}).get(f"{path}/")
    if existing is None:
        a.write(name, f"sys/auth/{path}", {"type": kind, "description": description})
    elif existing["type"] != kind:
        raise ApplyError(f"{name}: auth/{path}/ is already a {existing['type']} method, not {kind}")
    else:
        a.write(name, f"sys/auth/{path}/tune", {"description": description})
    return (a.read("sys/auth") or {})["data"][f"{path}/"]["accessor"]


def _auth_backend(a: Applier, name: str, i: dict[str, Any]) -> dict[str, Any]:
    path = i.get("path") or i["type"]
    accessor = _enable_auth(a, name, path, i["type"], i.get("description", ""))
    tune = i.get("tune")
    if tune:
        a.write(name, f"sys/auth/{path}/tune", _fields(tune[0] if isinstance(tune, list) else tune))
    return {"accessor": accessor, "path": path}


_JWT_MOUNT_FIELDS = ("path", "type", "description", "tune", "local", "namespace", "disableRemount")


def _jwt_backend(a: Applier, name: str, i: dict[str, Any]) -> dict[str, Any]:
    path = i.get("path") or "jwt"
    accessor = _enable_auth(a, name, path, i.get("type", "jwt"), i.get("description", ""))
    a.write(name, f"auth/{path}/config", _fields(i, _JWT_MOUNT_FIELDS))
    return {"accessor": accessor, "path": path}


def _role(mount_key: str, role_path: str) -> Handler:
    """Roles of auth methods and engines: one POST to `<mount>/<role_path>/<roleName|name>`."""

    def handler(a: Applier, name: str, i: dict[str, Any]) -> dict[str, Any]:
        role = i.get("roleName") or i["name"]
        fields = _fields(i, (mount_key, "roleName", "name", "namespace"))
        prefix = "auth/" if role_path == "role" else ""
        a.write(name, f"{prefix}{i[mount_key].strip('/')}/{role_path}/{role}", fields)
        return {}

    return handler


def _jwt_role(a: Applier, name: str, i: dict[str, Any]) -> dict[str, Any]:
    # resource_jwt_auth_backend_role.go: each bound_claims value is a comma-separated list (split unless
    # disable_bound_claims_parsing).
    if i.get("boundClaims") and not i.get("disableBoundClaimsParsing"):
        i = {**i, "boundClaims": {k: str(v).split(",") for k, v in i["boundClaims"].items()}}
    fields = _fields(i, ("backend", "roleName", "namespace", "disableBoundClaimsParsing"))
    if "bound_claims" in fields:  # keys are claim names: keep them as written
        fields["bound_claims"] = i["boundClaims"]
    a.write(name, f"auth/{i['backend'].strip('/')}/role/{i['roleName']}", fields)
    return {}


def _group(a: Applier, name: str, i: dict[str, Any]) -> dict[str, Any]:
    # identity/group/name/<name> creates or updates by name (the provider writes identity/group).
    fields = _fields(
        i, ("name", "namespace", "externalPolicies", "externalMemberEntityIds", "externalMemberGroupIds")
    )
    a.write(name, f"identity/group/name/{i['name']}", fields)
    group = a.read(f"identity/group/name/{i['name']}")
    if not group:
        raise ApplyError(f"{name}: group {i['name']} not found after writing it")
    return {"id": group["data"]["id"]}


def _group_alias(a: Applier, name: str, i: dict[str, Any]) -> dict[str, Any]:
    body = {"name": i["name"], "mount_accessor": i["mountAccessor"], "canonical_id": i["canonicalId"]}
    existing = a.list("identity/group-alias/id").get("key_info", {})
    for alias_id, info in existing.items():
        if info.get("name") == i["name"] and info.get("mount_accessor") == i["mountAccessor"]:
            a.write(name, f"identity/group-alias/id/{alias_id}", body)
            return {}
    a.write(name, "identity/group-alias", body)
    return {}


def _mfa_totp(a: Applier, name: str, i: dict[str, Any]) -> dict[str, Any]:
    fields = _fields(i, ("namespace",))
    existing = a.list("identity/mfa/method/totp").get("key_info", {})
    for method_id, info in existing.items():
        if info.get("issuer") == i["issuer"]:
            a.write(name, f"identity/mfa/method/totp/{method_id}", fields)
            return {"id": method_id, "methodId": method_id}
    created = a.write(name, "identity/mfa/method/totp", fields)
    method_id = created["data"]["method_id"]
    return {"id": method_id, "methodId": method_id}


def _mfa_login_enforcement(a: Applier, name: str, i: dict[str, Any]) -> dict[str, Any]:
    a.write(name, f"identity/mfa/login-enforcement/{i['name']}", _fields(i, ("name", "namespace")))
    return {}


def _kubernetes_config(a: Applier, name: str, i: dict[str, Any]) -> dict[str, Any]:
    a.write(name, f"auth/{i['backend'].strip('/')}/config", _fields(i, ("backend", "namespace")))
    return {}


def _kv_v2_config(a: Applier, name: str, i: dict[str, Any]) -> dict[str, Any]:
    a.write(name, f"{i['mount'].strip('/')}/config", _fields(i, ("mount", "namespace")))
    return {}


# Fields the transit create call takes; the rest go to keys/<name>/config (as the provider splits them).
_TRANSIT_CREATE = (
    "type",
    "derived",
    "convergent_encryption",
    "exportable",
    "allow_plaintext_backup",
    "auto_rotate_period",
    "key_size",
)
_TRANSIT_CONFIG = (
    "deletion_allowed",
    "min_decryption_version",
    "min_encryption_version",
    "auto_rotate_period",
)


def _transit_key(a: Applier, name: str, i: dict[str, Any]) -> dict[str, Any]:
    fields = _fields(i, ("backend", "name", "namespace"))
    base = f"{i['backend'].strip('/')}/keys/{i['name']}"
    if a.read(base) is None:
        a.write(name, base, {k: v for k, v in fields.items() if k in _TRANSIT_CREATE})
    config = {k: v for k, v in fields.items() if k in _TRANSIT_CONFIG}
    # exportable / allow_plaintext_backup can only ever be switched on, never back off: send them
    # only when asked for, so re-applying "false" is not an error.
    config |= {k: True for k in ("exportable", "allow_plaintext_backup") if fields.get(k)}
    a.write(name, f"{base}/config", config)
    return {}


# Connection blocks per plugin the provider knows; the local stack uses postgresql.
_DB_BLOCKS = ("postgresql", "mysql", "mssql", "oracle", "redis", "valkey", "cassandra", "influxdb")


def _database_connection(a: Applier, name: str, i: dict[str, Any]) -> dict[str, Any]:
    backend, conn = i["backend"].strip("/"), i["name"]
    fields = _fields(i, ("backend", "name", "namespace", "data", *_DB_BLOCKS))
    for block in _DB_BLOCKS:
        if i.get(block):
            details = i[block][0] if isinstance(i[block], list) else i[block]
            fields |= _fields(details)
    fields |= i.get("data") or {}
    if a.read(f"{backend}/config/{conn}") is not None:
        # After rotate-root only Vault knows the admin password; the program marks it ignore_changes,
        # so an update never sends the bootstrap password again (Vault keeps the current one).
        fields.pop("password", None)
    a.write(name, f"{backend}/config/{conn}", fields)
    return {}


def _quota_rate_limit(a: Applier, name: str, i: dict[str, Any]) -> dict[str, Any]:
    a.write(name, f"sys/quotas/rate-limit/{i['name']}", _fields(i, ("name", "namespace")))
    return {}


def _generic_endpoint(a: Applier, name: str, i: dict[str, Any]) -> dict[str, Any]:
    # A one-shot action such as rotate-root: writing it again performs it again, which is harmless.
    data = json.loads(i.get("dataJson") or "{}")
    a.write(name, i["path"].strip("/"), data)
    return {}


def _entity(a: Applier, name: str, i: dict[str, Any]) -> dict[str, Any]:
    fields = _fields(i, ("name", "namespace", "externalPolicies"))
    a.write(name, f"identity/entity/name/{i['name']}", fields)
    entity = a.read(f"identity/entity/name/{i['name']}")
    if not entity:
        raise ApplyError(f"{name}: entity {i['name']} not found after writing it")
    return {"id": entity["data"]["id"]}  # the harness makes it the entity's id, so aliases get it


def _entity_alias(a: Applier, name: str, i: dict[str, Any]) -> dict[str, Any]:
    body = {"name": i["name"], "mount_accessor": i["mountAccessor"], "canonical_id": i["canonicalId"]}
    existing = a.list("identity/entity-alias/id").get("key_info", {})
    for alias_id, info in existing.items():
        if info.get("name") == i["name"] and info.get("mount_accessor") == i["mountAccessor"]:
            a.write(name, f"identity/entity-alias/id/{alias_id}", body)
            return {}
    a.write(name, "identity/entity-alias", body)
    return {}


def _audit(a: Applier, name: str, i: dict[str, Any]) -> dict[str, Any]:
    path = i["path"].strip("/")
    if f"{path}/" not in ((a.read("sys/audit") or {}).get("data") or {}):
        a.write(
            name,
            f"sys/audit/{path}",
            {"type": i["type"], "description": i.get("description", ""), "options": i.get("options") or {}},
            method="put",
        )
    return {}


HANDLERS: dict[str, Handler] = {
    "vault:index/policy:Policy": _policy,
    "vault:index/mount:Mount": _mount,
    "vault:index/authBackend:AuthBackend": _auth_backend,
    "vault:index/audit:Audit": _audit,
    "vault:index/quotaRateLimit:QuotaRateLimit": _quota_rate_limit,
    "vault:kv/secretBackendV2:SecretBackendV2": _kv_v2_config,
    "vault:transit/secretBackendKey:SecretBackendKey": _transit_key,
    "vault:database/secretBackendConnection:SecretBackendConnection": _database_connection,
    "vault:database/secretBackendRole:SecretBackendRole": _role("backend", "roles"),
    "vault:database/secretBackendStaticRole:SecretBackendStaticRole": _role("backend", "static-roles"),
    "vault:kubernetes/authBackendConfig:AuthBackendConfig": _kubernetes_config,
    "vault:kubernetes/authBackendRole:AuthBackendRole": _role("backend", "role"),
    "vault:jwt/authBackend:AuthBackend": _jwt_backend,
    "vault:jwt/authBackendRole:AuthBackendRole": _jwt_role,
    "vault:generic/endpoint:Endpoint": _generic_endpoint,
    "vault:identity/entity:Entity": _entity,
    "vault:identity/entityAlias:EntityAlias": _entity_alias,
    "vault:identity/group:Group": _group,
    "vault:identity/groupAlias:GroupAlias": _group_alias,
    "vault:identity/mfaTotp:MfaTotp": _mfa_totp,
    "vault:identity/mfaLoginEnforcement:MfaLoginEnforcement": _mfa_login_enforcement,
}
