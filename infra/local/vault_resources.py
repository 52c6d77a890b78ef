"""Per `vault:*` resource type, the HTTP calls the Terraform Vault provider makes (pulumi-vault wraps it).

Each handler names its source file in hashicorp/terraform-provider-vault (read at commit 31447510c, after
v5.9.0; pulumi-vault 7.14 bundles a v5 release) and reproduces, in order, the
method, the path and the body fields of its Create, Read (refresh, import, and the read-after-write
every Create/Update ends with), Update and Delete. Bodies follow the provider's rules for which field it
sends when (`GetOk`: set and not the zero value; `GetOkExists`: set; `HasChange`: differs from state),
with the schema defaults the provider applies. The point is the permissions: whatever the real
provider would need, the local apply needs too, and a grant the deployer lacks fails here first.

Input names arrive camelCase (the Pulumi schema); the API takes snake_case.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from infra.local.vault_provider import ProviderSession, VaultApi
from infra.vault.acl import tf_set_order

_ZERO: tuple[Any, ...] = (None, "", 0, 0.0, False)


def _is_zero(value: Any) -> bool:
    return value in _ZERO or value == [] or value == {}


def _lookup(values: Mapping[str, Any] | None, key: str) -> Any:
    """A dotted input path; a nested block may arrive as an object or a one-element list."""
    current: Any = values or {}
    for part in key.split("."):
        if isinstance(current, list):
            current = current[0] if current else None
        if not isinstance(current, Mapping):
            return None
        current = current.get(part)
    return current


class Res:
    """A resource's inputs as the provider's `*schema.ResourceData` shows them."""

    def __init__(
        self, plain: Mapping[str, Any], state: Mapping[str, Any], old: Mapping[str, Any] | None
    ) -> None:
        self.plain = plain  # secrets unwrapped: only ever sent to the server
        self.state = state  # what the engine keeps (secrets as digests), for change detection
        self.old = old  # the engine's last state, None while creating

    @property
    def is_new(self) -> bool:
        return self.old is None

    def get(self, key: str, default: Any = None) -> Any:
        value = _lookup(self.plain, key)
        return default if value is None else value

    def ok(self, key: str) -> bool:
        return not _is_zero(_lookup(self.plain, key))

    def exists(self, key: str) -> bool:
        return _lookup(self.plain, key) is not None

    def changed(self, key: str) -> bool:
        if self.old is None:
            return self.ok(key)
        return _lookup(self.old, key) != _lookup(self.state, key)

    def any_changed(self, *keys: str) -> bool:
        return any(self.changed(k) for k in keys)


@dataclass
class Observed:
    """What a Read found: outputs the program uses (accessor, id) and the inputs it sets in state."""

    outputs: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)


class Handler(Protocol):
    source: str

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]: ...
    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None: ...
    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]: ...
    def delete(self, s: ProviderSession, rid: str, r: Res) -> None: ...


class AlreadyExists(RuntimeError):
    """The provider's own refusal to create over an object it did not create (import it instead)."""


def _ttl(seconds: Any) -> str:
    return f"{int(seconds or 0)}s"


def _set(values: Any) -> list[str]:
    """A TypeSet of strings, in the order the Terraform SDK hands it to the provider."""
    return tf_set_order(values or [])


def _mount_missing(api: VaultApi, path: str) -> dict[str, Any] | None:
    """util/mountutil GetMount/GetAuthMount: a 404, or a 400 "No secret engine mount at", is "gone"."""
    status, parsed = api.request("GET", path)
    if status == 404 or (status == 400 and "mount at" in json.dumps(parsed)):
        return None
    if status >= 400:
        api._raise("GET", path, status, parsed)
    return (parsed or {}).get("data") or parsed


# --------------------------------------------------------------------------- sys/


class Policy:
    source = "vault/resource_policy.go"

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        api, name = s.api(), r.get("name")
        api.read(f"sys/policies/acl/{name}")  # policyCreate: GetPolicy, "error checking for existing policy"
        return name, self.update(s, name, r)

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        # GetPolicy maps 404 to "": a deleted policy reads back empty and is rewritten by the diff.
        found = s.api().read(f"sys/policies/acl/{rid}")
        text = ((found or {}).get("data") or {}).get("policy", "")
        return Observed(values={"name": rid, "policy": text})

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        s.api().write(f"sys/policies/acl/{rid}", {"policy": r.get("policy")})  # Sys().PutPolicy: PUT
        self.read(s, rid, r)
        return {}

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        s.api().delete(f"sys/policies/acl/{rid}")


def _mount_options(r: Res) -> dict[str, str]:
    return {k: str(v) for k, v in (r.get("options") or {}).items()}


class Mount:
    source = "vault/resource_mount.go"

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        api, path = s.api(), r.get("path")
        s.api_supported(1, 16)  # identity_token_key is sent on 1.16+ Enterprise only
        config: dict[str, Any] = {
            "options": None,
            "default_lease_ttl": _ttl(r.get("defaultLeaseTtlSeconds")),
            "max_lease_ttl": _ttl(r.get("maxLeaseTtlSeconds")),
            "force_no_cache": bool(r.get("forceNoCache", False)),
        }
        for key_in, key_api in (
            ("auditNonHmacRequestKeys", "audit_non_hmac_request_keys"),
            ("auditNonHmacResponseKeys", "audit_non_hmac_response_keys"),
            ("passthroughRequestHeaders", "passthrough_request_headers"),
            ("allowedResponseHeaders", "allowed_response_headers"),
            ("listingVisibility", "listing_visibility"),
            ("pluginVersion", "plugin_version"),  # createMount: input.Config.PluginVersion (GetOk)
        ):
            if r.ok(key_in):
                config[key_api] = r.get(key_in)
        api.write(
            f"sys/mounts/{path}",
            {
                "type": r.get("type"),
                "description": r.get("description", ""),
                "config": config,
                "local": bool(r.get("local", False)),
                "seal_wrap": bool(r.get("sealWrap", False)),
                "external_entropy_access": bool(r.get("externalEntropyAccess", False)),
                "options": _mount_options(r),
            },
            method="POST",  # Sys().MountWithContext
        )
        return path, self._outputs(s, path, r)

    def _outputs(self, s: ProviderSession, path: str, r: Res) -> dict[str, Any]:
        found = self.read(s, path, r)
        if found is None:
            raise RuntimeError(f"mount {path} not found right after writing it")
        return found.outputs

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        mount = _mount_missing(s.api(), f"sys/mounts/{rid}")  # Sys().GetMount
        if mount is None:
            return None
        config = mount.get("config") or {}
        mount_type = mount.get("type")
        options = dict(mount.get("options") or {})
        if r.get("type") == "kv-v2" and mount_type == "kv" and options.get("version") == "2":
            mount_type = "kv-v2"
        return Observed(
            outputs={"accessor": mount.get("accessor"), "path": rid},
            values={
                "path": rid,
                "type": mount_type,
                "description": mount.get("description", ""),
                "defaultLeaseTtlSeconds": config.get("default_lease_ttl", 0),
                "maxLeaseTtlSeconds": config.get("max_lease_ttl", 0),
                "options": options,
                "local": mount.get("local", False),
                "sealWrap": mount.get("seal_wrap", False),
            },
        )

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        api = s.api()
        if r.changed("path"):
            raise RuntimeError("a mount's path change is a remount (sys/remount): not emulated")
        tune: dict[str, Any] = {
            "default_lease_ttl": _ttl(r.get("defaultLeaseTtlSeconds")),
            "max_lease_ttl": _ttl(r.get("maxLeaseTtlSeconds")),
            "options": _mount_options(r),
        }
        for key_in, key_api in (
            ("auditNonHmacRequestKeys", "audit_non_hmac_request_keys"),
            ("auditNonHmacResponseKeys", "audit_non_hmac_response_keys"),
            ("description", "description"),
            ("pluginVersion", "plugin_version"),  # updateMount: mapConfig when HasChange
        ):
            if r.changed(key_in):
                tune[key_api] = r.get(key_in, [] if key_api.startswith("audit_") else "")
        s.api_supported(1, 16)
        api.write(f"sys/mounts/{rid}/tune", tune, method="POST")  # tuneMountWithMap
        return self._outputs(s, rid, r)

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        s.api().delete(f"sys/mounts/{rid}")


def _enable_auth(api: VaultApi, path: str, kind: str, description: str, local: bool) -> None:
    # Sys().EnableAuthWithOptions: POST sys/auth/<path> with an api.MountInput (empty config).
    api.write(
        f"sys/auth/{path}",
        {
            "type": kind,
            "description": description,
            "config": {
                "options": None,
                "default_lease_ttl": "",
                "max_lease_ttl": "",
                "force_no_cache": False,
            },
            "local": local,
            "seal_wrap": False,
            "external_entropy_access": False,
            "options": None,
        },
        method="POST",
    )


def _read_auth_mount(api: VaultApi, path: str) -> dict[str, Any] | None:
    # Sys().GetAuth reads sys/mounts/auth/<path> ("so we don't require sudo"), then the tune.
    mount = _mount_missing(api, f"sys/mounts/auth/{path}")
    if mount is not None:
        tune = api.read(f"sys/mounts/auth/{path}/tune") or {}  # authMountTuneGet: Sys().MountConfig
        mount = {**mount, "_tune": tune.get("data") or tune}
    return mount


class AuthBackend:
    source = "vault/resource_auth_backend.go"

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        path = r.get("path") or r.get("type")
        s.api_supported(1, 17)
        _enable_auth(s.api(), path, r.get("type"), r.get("description", ""), bool(r.get("local", False)))
        return path, self._tune_and_read(s, path, r)

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        mount = _read_auth_mount(s.api(), rid)
        if mount is None:
            return None
        values: dict[str, Any] = {
            "type": mount.get("type"),
            "path": rid,
            "description": mount.get("description", ""),
            "local": mount.get("local", False),
        }
        if r.ok("tune"):
            # flattenAuthMethodTune: a list field is kept when its first element is not "".
            kept = [v for v in mount["_tune"].get("audit_non_hmac_request_keys") or [] if v]
            values["tune"] = {"auditNonHmacRequestKeys": kept}
        return Observed(outputs={"accessor": mount.get("accessor"), "path": rid}, values=values)

    def _tune_and_read(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        tune: dict[str, Any] | None = None
        empty = {"options": None, "default_lease_ttl": "", "max_lease_ttl": "", "force_no_cache": False}
        if r.changed("tune") and r.ok("tune"):
            # authBackendUpdate: HasChange(tune) -> expandAuthMethodTune (vault/structures.go) into an
            # api.MountConfigInput: every block field, lists sent as [""] when empty, empty strings omitted.
            tune = {**empty}
            for key_in, key_api in (
                ("defaultLeaseTtl", "default_lease_ttl"),
                ("maxLeaseTtl", "max_lease_ttl"),
                ("listingVisibility", "listing_visibility"),
                ("tokenType", "token_type"),
            ):
                if r.ok(f"tune.{key_in}"):
                    tune[key_api] = r.get(f"tune.{key_in}")
            for key_in, key_api in (
                ("auditNonHmacRequestKeys", "audit_non_hmac_request_keys"),
                ("auditNonHmacResponseKeys", "audit_non_hmac_response_keys"),
                ("passthroughRequestHeaders", "passthrough_request_headers"),
                ("allowedResponseHeaders", "allowed_response_headers"),
            ):
                tune[key_api] = [v for v in r.get(f"tune.{key_in}") or [] if v] or [""]
        if r.changed("description") and not r.is_new:
            s.api_supported(1, 17)
            tune = {**(tune or empty), "description": r.get("description", "")}
        if tune is not None:
            s.api().write(f"sys/mounts/auth/{rid}/tune", tune, method="POST")  # Sys().TuneMount
        found = self.read(s, rid, r)
        if found is None:
            raise RuntimeError(f"auth method {rid} not found right after writing it")
        return found.outputs

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        if r.changed("path"):
            raise RuntimeError("an auth method's path change is a remount: not emulated")
        return self._tune_and_read(s, rid, r)

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        s.api().delete(f"sys/auth/{rid}")


class Audit:
    source = "vault/resource_audit.go"

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        path = r.get("path") or r.get("type")
        options = {k: str(v) for k, v in (r.get("options") or {}).items()}
        # Sys().EnableAuditWithOptions: PUT; auditWrite does not read back.
        s.api().write(
            f"sys/audit/{path}",
            {
                "type": r.get("type"),
                "description": r.get("description", ""),
                "options": options,
                "local": bool(r.get("local", False)),
            },
        )
        return path, {}

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        devices = s.api().read("sys/audit") or {}  # Sys().ListAudit: sudo-protected
        device = (devices.get("data") or devices).get(f"{rid.strip('/')}/")
        if not isinstance(device, Mapping):
            return None
        return Observed(
            values={
                "path": rid,
                "type": device.get("type"),
                "description": device.get("description", ""),
                "options": device.get("options") or {},
            }
        )

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        raise RuntimeError("every audit device field forces a replacement; the provider has no update")

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        s.api().delete(f"sys/audit/{rid}")


class QuotaRateLimit:
    source = "vault/resource_quota_rate_limit.go"

    def _body(self, s: ProviderSession, r: Res) -> dict[str, Any]:
        body: dict[str, Any] = {"path": r.get("path", ""), "rate": float(r.get("rate", 0))}
        for key_in, key_api in (("interval", "interval"), ("blockInterval", "block_interval")):
            if r.ok(key_in):
                body[key_api] = r.get(key_in)
        if s.api_supported(1, 15) and r.exists("inheritable"):
            body["inheritable"] = bool(r.get("inheritable"))
        if s.api_supported(1, 12) and r.ok("role"):
            body["role"] = r.get("role")
        return body

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        name = r.get("name")
        s.api().write(f"sys/quotas/rate-limit/{name}", self._body(s, r))
        self.read(s, name, r)
        return name, {}

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        found = s.api().read(f"sys/quotas/rate-limit/{rid}")
        if found is None:
            return None
        data = found.get("data") or {}
        return Observed(
            values={
                "name": rid,
                "path": data.get("path", ""),
                "rate": data.get("rate"),
                "interval": data.get("interval"),
                "blockInterval": data.get("block_interval"),
            }
        )

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        s.api().write(f"sys/quotas/rate-limit/{rid}", self._body(s, r))
        self.read(s, rid, r)
        return {}

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        s.api().delete(f"sys/quotas/rate-limit/{rid}")


class Plugin:
    source = "vault/resource_plugin.go"

    def _path(self, r: Res) -> str:
        return f"sys/plugins/catalog/{r.get('type')}/{r.get('name')}"

    def _id(self, r: Res) -> str:
        version = r.get("version", "")
        return (
            f"{r.get('type')}/version/{version}/name/{r.get('name')}"
            if version
            else f"{r.get('type')}/name/{r.get('name')}"
        )

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        rid = self._id(r)
        return rid, self.update(s, rid, r)

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        # pluginRead: Sys().GetPluginWithContext, the version as a query parameter; 404 is "gone".
        version = r.get("version", "")
        found = s.api().read(self._path(r) + (f"?version={version}" if version else ""))
        if found is None:
            return None
        data = found.get("data") or {}
        return Observed(values={"sha256": data.get("sha256"), "command": data.get("command")})

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        # pluginWrite (Create and Update): Sys().RegisterPluginWithContext, a PUT of RegisterPluginInput,
        # whose fields other than `type` are `omitempty`.
        if r.ok("version"):
            s.api_supported(1, 12)
        body: dict[str, Any] = {"type": r.get("type")}
        for key_in, key_api in (
            ("args", "args"),
            ("command", "command"),
            ("sha256", "sha256"),
            ("version", "version"),
            ("ociImage", "oci_image"),
            ("runtime", "runtime"),
            ("envs", "env"),
        ):
            if r.ok(key_in):
                body[key_api] = r.get(key_in)
        s.api().write(self._path(r), body)
        self.read(s, rid, r)
        return {}

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        version = r.get("version", "")
        s.api().delete(self._path(r) + (f"?version={version}" if version else ""))


class GenericEndpoint:
    source = "vault/resource_generic_endpoint.go"

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        path = str(r.get("path")).strip("/")
        s.api().write(path, json.loads(r.get("dataJson") or "{}"))
        self.read(s, path, r)
        return path, {}

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        if r.get("disableRead", False):
            return Observed()  # "endpoint does not refresh when disable_read is set to true"
        found = s.api().read(rid)
        return None if found is None else Observed()

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        return self.create(s, r)[1]

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        if not r.get("disableDelete", False):
            s.api().delete(rid)


# --------------------------------------------------------------------------- secrets engines


class KvV2Config:
    source = "vault/resource_kv_secret_backend_v2.go"

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        rid = f"{str(r.get('mount')).strip('/')}/config"
        return rid, self.update(s, rid, r)

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        found = s.api().read(rid)
        if found is None:
            return None
        data = found.get("data") or {}
        return Observed(
            values={"maxVersions": data.get("max_versions"), "casRequired": data.get("cas_required")}
        )

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        s.api().retry_write(
            rid,
            {
                "max_versions": int(r.get("maxVersions", 0)),
                "cas_required": bool(r.get("casRequired", False)),
                "delete_version_after": int(r.get("deleteVersionAfter", 0)),
            },
        )
        self.read(s, rid, r)
        return {}

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        return None  # kvSecretBackendV2Delete does nothing


class TransitKey:
    source = "vault/resource_transit_secret_backend_key.go"

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        api = s.api()
        rid = f"{str(r.get('backend')).strip('/')}/keys/{r.get('name')}"
        rotate = int(r.get("autoRotatePeriod", 0)) if r.exists("autoRotatePeriod") else 0
        body: dict[str, Any] = {
            "convergent_encryption": bool(r.get("convergentEncryption", False)),
            "derived": bool(r.get("derived", False)),
            "type": r.get("type", "aes256-gcm96"),
            "auto_rotate_period": rotate,
        }
        if r.ok("context"):
            body["context"] = r.get("context")
        if s.api_supported(1, 12):
            body["key_size"] = int(r.get("keySize", 0))
        api.write(rid, body)
        api.write(
            f"{rid}/config",
            {
                "min_decryption_version": int(r.get("minDecryptionVersion", 1)),
                # sic: the provider's create sends this misspelt key; the server ignores it.
                "min_encryption_versoin": int(r.get("minEncryptionVersion", 0)),
                "deletion_allowed": bool(r.get("deletionAllowed", False)),
                "exportable": bool(r.get("exportable", False)),
                "allow_plaintext_backup": bool(r.get("allowPlaintextBackup", False)),
                "auto_rotate_period": rotate,
            },
        )
        self.read(s, rid, r)
        return rid, {}

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        found = s.api().read(rid)
        if found is None:
            return None
        data = found.get("data") or {}
        return Observed(
            values={
                "type": data.get("type"),
                "exportable": data.get("exportable"),
                "allowPlaintextBackup": data.get("allow_plaintext_backup"),
                "deletionAllowed": data.get("deletion_allowed"),
                "autoRotatePeriod": data.get("auto_rotate_period"),
            }
        )

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        rotate = int(r.get("autoRotatePeriod", 0)) if r.exists("autoRotatePeriod") else 0
        s.api().write(
            f"{rid}/config",
            {
                "min_decryption_version": int(r.get("minDecryptionVersion", 1)),
                "min_encryption_version": int(r.get("minEncryptionVersion", 0)),
                "deletion_allowed": bool(r.get("deletionAllowed", False)),
                "exportable": bool(r.get("exportable", False)),
                "allow_plaintext_backup": bool(r.get("allowPlaintextBackup", False)),
                "auto_rotate_period": rotate,
            },
        )
        self.read(s, rid, r)
        return {}

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        s.api().delete(rid)


_DB_PLUGINS = {"postgresql": "postgresql-database-plugin"}


class DatabaseConnection:
    source = "vault/resource_database_secret_backend_connection.go"

    def _body(self, s: ProviderSession, r: Res) -> dict[str, Any]:
        engines = [name for name in _DB_PLUGINS if r.exists(name)]
        if len(engines) != 1:
            raise RuntimeError(f"exactly one emulated engine block expected ({sorted(_DB_PLUGINS)})")
        engine = engines[0]
        prefix = f"{engine}."
        body: dict[str, Any] = {"plugin_name": r.get("pluginName") or _DB_PLUGINS[engine]}
        # setPostgresDatabaseConnectionData -> ...WithDisableEscaping -> ...WithUserPass -> setDatabaseConnectionData
        if r.ok(prefix + "connectionUrl"):
            body["connection_url"] = r.get(prefix + "connectionUrl")
        body["max_open_connections"] = int(r.get(prefix + "maxOpenConnections", 2))  # schema Default 2
        if r.exists(prefix + "maxIdleConnections"):
            body["max_idle_connections"] = int(r.get(prefix + "maxIdleConnections"))
        if r.exists(prefix + "maxConnectionLifetime"):
            body["max_connection_lifetime"] = _ttl(r.get(prefix + "maxConnectionLifetime"))
        if r.exists(prefix + "usernameTemplate"):
            body["username_template"] = r.get(prefix + "usernameTemplate")
        body["username"] = r.get(prefix + "username", "")
        # "Vault does not return the password ... we only send it if it actually changed"; the program
        # marks it ignore_changes, so after creation it is never sent again (rotate-root owns it).
        if (r.is_new or r.changed(prefix + "password")) and r.ok(prefix + "password"):
            body["password"] = r.get(prefix + "password")
        body["disable_escaping"] = bool(r.get(prefix + "disableEscaping", False))
        if s.api_supported(1, 14):
            body["password_authentication"] = r.get(prefix + "passwordAuthentication", "password")
        if r.exists("verifyConnection"):
            body["verify_connection"] = bool(r.get("verifyConnection"))
        if r.exists("allowedRoles"):
            body["allowed_roles"] = ",".join(r.get("allowedRoles") or [])
        if r.ok("rootRotationStatements"):
            body["root_rotation_statements"] = r.get("rootRotationStatements")
        return body

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        rid = f"{str(r.get('backend')).strip('/')}/config/{r.get('name')}"
        return rid, self.update(s, rid, r)

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        found = s.api().read(rid)
        if found is None:
            return None
        data = found.get("data") or {}
        # getDBCommonConfig: allowed_roles and plugin_name come from the server; verify_connection and
        # the password stay what state holds (the server never returns them).
        return Observed(
            values={"allowedRoles": data.get("allowed_roles") or [], "pluginName": data.get("plugin_name")}
        )

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        s.api().write(rid, self._body(s, r))  # databaseSecretBackendConnectionCreateOrUpdate
        self.read(s, rid, r)
        return {}

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        s.api().delete(rid)


_DB_ROLE_FIELDS = {
    "defaultTtl": "default_ttl",
    "maxTtl": "max_ttl",
    "creationStatements": "creation_statements",
    "revocationStatements": "revocation_statements",
    "rollbackStatements": "rollback_statements",
    "renewStatements": "renew_statements",
    "credentialConfig": "credential_config",
    "credentialType": "credential_type",
}


class DatabaseRole:
    source = "vault/resource_database_secret_backend_role.go"

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        rid = f"{str(r.get('backend')).strip('/')}/roles/{r.get('name')}"
        return rid, self.update(s, rid, r)

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        found = s.api().read(rid)
        if found is None:
            return None
        data = found.get("data") or {}
        values = {"dbName": data.get("db_name")}
        values |= {key_in: data[key_api] for key_in, key_api in _DB_ROLE_FIELDS.items() if key_api in data}
        return Observed(values=values)

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        # databaseSecretBackendRoleWrite serves Create and Update.
        body = {"db_name": r.get("dbName"), "creation_statements": r.get("creationStatements")}
        body |= {key_api: r.get(key_in) for key_in, key_api in _DB_ROLE_FIELDS.items() if r.changed(key_in)}
        s.api().write(rid, body)
        self.read(s, rid, r)
        return {}

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        s.api().delete(rid)


class DatabaseStaticRole:
    source = "vault/resource_database_secret_backend_static_role.go"

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        rid = f"{str(r.get('backend')).strip('/')}/static-roles/{r.get('name')}"
        return rid, self.update(s, rid, r)

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        found = s.api().read(rid)
        if found is None:
            return None
        data = found.get("data") or {}
        return Observed(
            values={
                "dbName": data.get("db_name"),
                "username": data.get("username"),
                "rotationPeriod": data.get("rotation_period"),
            }
        )

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        body: dict[str, Any] = {
            "username": r.get("username"),
            "db_name": r.get("dbName"),
            "rotation_statements": [],
        }
        if s.api_supported(1, 15):
            for key_in, key_api in (
                ("rotationSchedule", "rotation_schedule"),
                ("rotationWindow", "rotation_window"),
            ):
                if r.ok(key_in):
                    body[key_api] = r.get(key_in)
        for key_in, key_api in (
            ("rotationStatements", "rotation_statements"),
            ("rotationPeriod", "rotation_period"),
            ("credentialType", "credential_type"),
            ("credentialConfig", "credential_config"),
        ):
            if r.ok(key_in):
                body[key_api] = r.get(key_in)
        s.api().write(rid, body)
        self.read(s, rid, r)
        return {}

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        s.api().delete(rid)


class AwsSecretBackend:
    source = "vault/resource_aws_secret_backend.go"

    def _root(self, s: ProviderSession, r: Res) -> dict[str, Any]:
        body: dict[str, Any] = {"access_key": r.get("accessKey", ""), "secret_key": r.get("secretKey", "")}
        for key_in, key_api in (
            ("iamEndpoint", "iam_endpoint"),
            ("stsEndpoint", "sts_endpoint"),
            ("usernameTemplate", "username_template"),
        ):
            if r.ok(key_in):
                body[key_api] = r.get(key_in)
        if r.ok("region"):
            body["region"] = r.get("region")
        return body

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        path = r.get("path", "aws")
        s.api_supported(1, 19)
        Mount().create(s, Res({**r.plain, "path": path, "type": "aws"}, r.state, None))
        s.api().write(f"{path}/config/root", self._root(s, r))
        self.read(s, path, r)
        return path, {}

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        root = s.api().read(f"{rid}/config/root")
        if root is None:
            return None
        mount = Mount().read(s, rid, Res({**r.plain, "type": "aws"}, r.state, r.old))
        if mount is None:
            return None
        return Observed(outputs=mount.outputs, values={"region": (root.get("data") or {}).get("region")})

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        Mount().update(s, rid, Res({**r.plain, "path": rid, "type": "aws"}, r.state, r.old))
        if r.any_changed(
            "accessKey", "secretKey", "region", "iamEndpoint", "stsEndpoint", "usernameTemplate"
        ):
            s.api().write(f"{rid}/config/root", self._root(s, r))
        self.read(s, rid, r)
        return {}

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        s.api().delete(f"sys/mounts/{rid}")


class AwsSecretBackendRole:
    source = "vault/resource_aws_secret_backend_role.go"

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        rid = f"{str(r.get('backend')).strip('/')}/roles/{r.get('name')}"
        return rid, self.update(s, rid, r)

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        found = s.api().read(rid)
        return None if found is None else Observed()

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        body: dict[str, Any] = {"credential_type": r.get("credentialType")}
        for key_in, key_api in (
            ("policyDocument", "policy_document"),
            ("policyArns", "policy_arns"),
            ("roleArns", "role_arns"),
            ("iamGroups", "iam_groups"),
            ("defaultStsTtl", "default_sts_ttl"),
            ("maxStsTtl", "max_sts_ttl"),
        ):
            if r.ok(key_in):
                body[key_api] = r.get(key_in)
        s.api().write(rid, body)
        self.read(s, rid, r)
        return {}

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        s.api().delete(rid)


# --------------------------------------------------------------------------- auth methods


_TOKEN_FIELDS = {
    "tokenBoundCidrs": "token_bound_cidrs",
    "tokenPolicies": "token_policies",
    "tokenExplicitMaxTtl": "token_explicit_max_ttl",
    "tokenMaxTtl": "token_max_ttl",
    "tokenNoDefaultPolicy": "token_no_default_policy",
    "tokenPeriod": "token_period",
    "tokenType": "token_type",
    "tokenTtl": "token_ttl",
    "tokenNumUses": "token_num_uses",
    "aliasMetadata": "alias_metadata",
}
_SETS = {"tokenBoundCidrs", "tokenPolicies"}


def _token_fields(r: Res) -> dict[str, Any]:
    """vault/auth_token.go updateTokenFields: GetOk fields on create (GetOkExists for no_default_policy),
    changed fields on update. Sets are sent in the Terraform SDK's order."""
    body: dict[str, Any] = {}
    for key_in, key_api in _TOKEN_FIELDS.items():
        wanted = r.exists(key_in) if key_in == "tokenNoDefaultPolicy" else r.ok(key_in)
        if (r.is_new and wanted) or (not r.is_new and r.changed(key_in)):
            value = r.get(key_in)
            body[key_api] = _set(value) if key_in in _SETS else value
    return body


def _token_values(data: Mapping[str, Any]) -> dict[str, Any]:
    return {key_in: data[key_api] for key_in, key_api in _TOKEN_FIELDS.items() if key_api in data}


class KubernetesAuthConfig:
    source = "vault/resource_kubernetes_auth_backend_config.go"

    def _body(self, s: ProviderSession, r: Res) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if r.ok("kubernetesCaCert"):
            body["kubernetes_ca_cert"] = r.get("kubernetesCaCert")
        if r.ok("tokenReviewerJwt"):
            body["token_reviewer_jwt"] = r.get("tokenReviewerJwt")
        if r.exists("pemKeys"):
            body["pem_keys"] = ",".join(r.get("pemKeys") or [])
        body["kubernetes_host"] = r.get("kubernetesHost")
        if r.ok("issuer"):
            body["issuer"] = r.get("issuer")
        # Create: `d.Get(disable_iss_validation) != nil` is always true; update: GetOkExists.
        if r.is_new or r.exists("disableIssValidation"):
            body["disable_iss_validation"] = bool(r.get("disableIssValidation", False))
        if r.ok("disableLocalCaJwt"):
            body["disable_local_ca_jwt"] = True
        if s.api_supported(1, 16):
            body["use_annotations_as_alias_metadata"] = bool(r.get("useAnnotationsAsAliasMetadata", False))
        return body

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        rid = f"auth/{str(r.get('backend', 'kubernetes')).strip('/')}/config"
        s.api().write(rid, self._body(s, r))
        self.read(s, rid, r)
        return rid, {}

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        found = s.api().read(rid)  # Exists, then Read: the same GET
        if found is None:
            return None
        data = found.get("data") or {}
        return Observed(
            values={
                "kubernetesHost": data.get("kubernetes_host"),
                "kubernetesCaCert": data.get("kubernetes_ca_cert"),
            }
        )

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        s.api().write(rid, self._body(s, r))
        self.read(s, rid, r)
        return {}

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        return None  # kubernetesAuthBackendConfigDelete only forgets it


class KubernetesAuthRole:
    source = "vault/resource_kubernetes_auth_backend_role.go"

    def _body(self, r: Res) -> dict[str, Any]:
        body = _token_fields(r)
        for key_in, key_api in (
            ("boundServiceAccountNames", "bound_service_account_names"),
            ("boundServiceAccountNamespaces", "bound_service_account_namespaces"),
        ):
            if r.ok(key_in):
                body[key_api] = _set(r.get(key_in))
        body["bound_service_account_namespace_selector"] = r.get("boundServiceAccountNamespaceSelector", "")
        for key_in, key_api in (("audience", "audience"), ("aliasNameSource", "alias_name_source")):
            if (r.is_new and r.ok(key_in)) or (not r.is_new and r.changed(key_in)):
                body[key_api] = r.get(key_in)
        return body

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        rid = f"auth/{str(r.get('backend', 'kubernetes')).strip('/')}/role/{r.get('roleName')}"
        s.api().write(rid, self._body(r))
        self.read(s, rid, r)
        return rid, {}

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        found = s.api().read(rid)
        if found is None:
            return None
        data = found.get("data") or {}
        values = _token_values(data)
        values["boundServiceAccountNames"] = data.get("bound_service_account_names")
        values["boundServiceAccountNamespaces"] = data.get("bound_service_account_namespaces")
        return Observed(values=values)

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        s.api().write(rid, self._body(r))
        self.read(s, rid, r)
        return {}

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        s.api().delete(rid)


_JWT_CONFIG = {
    # matchingJwtMountConfigOptions (oidc_client_secret is never read back; a field name, not a value)
    "oidcDiscoveryUrl": "oidc_discovery_url",
    "oidcDiscoveryCaPem": "oidc_discovery_ca_pem",
    "oidcClientId": "oidc_client_id",
    "oidcClientSecret": "oidc_client_secret",  # pragma: allowlist secret
    "oidcResponseMode": "oidc_response_mode",
    "oidcResponseTypes": "oidc_response_types",
    "jwksUrl": "jwks_url",
    "jwksCaPem": "jwks_ca_pem",
    "jwksPairs": "jwks_pairs",
    "jwtValidationPubkeys": "jwt_validation_pubkeys",
    "boundIssuer": "bound_issuer",
    "jwtSupportedAlgs": "jwt_supported_algs",
    "defaultRole": "default_role",
    "providerConfig": "provider_config",
    "namespaceInState": "namespace_in_state",
}


class JwtAuthBackend:
    source = "vault/resource_jwt_auth_backend.go"

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        path = r.get("path") or "jwt"
        _enable_auth(
            s.api(), path, r.get("type", "jwt"), r.get("description", ""), bool(r.get("local", False))
        )
        return path, self.update(s, path, r)

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        s.api_supported(1, 16)
        api = s.api()
        mount = _mount_missing(api, f"sys/mounts/auth/{rid}")
        if mount is None:
            return None
        config = api.read(f"auth/{rid}/config")
        if config is None:
            return None
        api.read(f"sys/mounts/auth/{rid}/tune")
        data = config.get("data") or {}
        values = {"path": rid, "type": mount.get("type"), "local": mount.get("local", False)}
        values |= {
            key_in: data.get(key_api)
            for key_in, key_api in _JWT_CONFIG.items()
            if key_api != "oidc_client_secret"
        }
        return Observed(outputs={"accessor": mount.get("accessor"), "path": rid}, values=values)

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        s.api_supported(1, 16)
        if not r.is_new and r.changed("path"):
            raise RuntimeError("an auth method's path change is a remount: not emulated")
        config: dict[str, Any] = {}
        for key_in, key_api in _JWT_CONFIG.items():
            present = r.exists(key_in) or (key_in == "namespaceInState")  # schema Default true
            if present or r.changed(key_in):
                config[key_api] = r.get(key_in, True if key_in == "namespaceInState" else None)
        s.api().write(f"auth/{rid}/config", config)
        if r.changed("tune"):
            raise RuntimeError("auth backend tune blocks are not emulated; the program declares none")
        found = self.read(s, rid, r)
        if found is None:
            raise RuntimeError(f"JWT auth method {rid} not found right after writing it")
        return found.outputs

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        s.api().delete(f"sys/auth/{rid}")


class JwtAuthRole:
    source = "vault/resource_jwt_auth_backend_role.go"

    def _body(self, r: Res) -> dict[str, Any]:
        body = _token_fields(r)  # jwtAuthBackendRoleDataToWrite
        body["bound_audiences"] = _set(r.get("boundAudiences"))
        body["user_claim"] = r.get("userClaim")
        body["user_claim_json_pointer"] = bool(r.get("userClaimJsonPointer", False))
        if r.ok("maxAge"):
            body["max_age"] = r.get("maxAge")
        if r.ok("allowedRedirectUris"):
            body["allowed_redirect_uris"] = _set(r.get("allowedRedirectUris"))
        if r.ok("roleType"):
            body["role_type"] = r.get("roleType")
        if r.exists("boundSubject"):
            body["bound_subject"] = r.get("boundSubject")
        if r.ok("oidcScopes"):
            body["oidc_scopes"] = _set(r.get("oidcScopes"))
        if r.exists("boundClaimsType"):
            body["bound_claims_type"] = r.get("boundClaimsType")
        parse = not r.get("disableBoundClaimsParsing", False)
        body["bound_claims"] = {
            claim: [v.strip() for v in str(value).split(",")] if parse else [str(value).strip()]
            for claim, value in (r.get("boundClaims") or {}).items()
        }
        if r.ok("claimMappings"):
            body["claim_mappings"] = r.get("claimMappings")
        if r.exists("groupsClaim"):
            body["groups_claim"] = r.get("groupsClaim")
        for key_in, key_api in (
            ("clockSkewLeeway", "clock_skew_leeway"),
            ("expirationLeeway", "expiration_leeway"),
            ("notBeforeLeeway", "not_before_leeway"),
        ):
            body[key_api] = int(r.get(key_in, 0))
        body["verbose_oidc_logging"] = bool(r.get("verboseOidcLogging", False))
        return body

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        rid = f"auth/{str(r.get('backend', 'jwt')).strip('/')}/role/{str(r.get('roleName')).strip('/')}"
        s.api().write(rid, self._body(r))
        self.read(s, rid, r)
        return rid, {}

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        found = s.api().read(rid)
        if found is None:
            return None
        data = found.get("data") or {}
        values = _token_values(data)
        claims = data.get("bound_claims") or {}
        values |= {
            "boundAudiences": data.get("bound_audiences") or [],
            "userClaim": data.get("user_claim"),
            "roleType": data.get("role_type"),
            "boundClaimsType": data.get("bound_claims_type"),
            # Read joins a list claim back with "," (the provider's own round trip).
            "boundClaims": {k: ",".join(v) if isinstance(v, list) else v for k, v in claims.items()},
        }
        return Observed(values=values)

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        s.api().write(rid, self._body(r))
        self.read(s, rid, r)
        return {}

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        s.api().delete(rid)


# --------------------------------------------------------------------------- identity


class IdentityEntity:
    source = "vault/resource_identity_entity.go"

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        api, name = s.api(), r.get("name", "")
        body: dict[str, Any] = {"name": name}  # identityEntityUpdateFields(create=true)
        if not r.get("externalPolicies", False) and r.ok("policies"):
            body["policies"] = _set(r.get("policies"))
        if r.ok("metadata"):
            body["metadata"] = r.get("metadata")
        if r.ok("disabled"):
            body["disabled"] = True
        answer = api.write("identity/entity", body)
        if answer is None:
            # Vault answers 204 when the name already exists (it updated that entity instead).
            api.read(f"identity/entity/name/{name}")
            raise AlreadyExists(f"Identity Entity {name!r} already exists; import it")
        rid = answer["data"]["id"]
        self.read(s, rid, r)
        return rid, {"id": rid}

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        found = s.api().read(f"identity/entity/id/{rid}")  # Exists, then Read: the same GET
        if found is None:
            return None
        data = found.get("data") or {}
        return Observed(
            outputs={"id": rid},
            values={
                "name": data.get("name"),
                "metadata": data.get("metadata") or {},
                "disabled": data.get("disabled"),
            },
        )

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if r.any_changed("name", "externalPolicies", "policies", "metadata", "disabled"):
            body = {
                "name": r.get("name", ""),
                "metadata": r.get("metadata") or {},
                "disabled": bool(r.get("disabled", False)),
                "policies": _set(r.get("policies")),
                "external_policies": bool(r.get("externalPolicies", False)),
            }
            if body["external_policies"]:
                del body["policies"]
        s.api().write(f"identity/entity/id/{rid}", body)
        self.read(s, rid, r)
        return {"id": rid}

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        s.api().delete(f"identity/entity/id/{rid}")


def _read_alias(s: ProviderSession, kind: str, rid: str) -> Observed | None:
    """An entity or group alias by id (`identity/<kind>/id/<id>`): both answer the same fields."""
    found = s.api().read(f"identity/{kind}/id/{rid}")
    if found is None:
        return None
    data = found.get("data") or {}
    return Observed(
        outputs={"id": rid},
        values={
            "name": data.get("name"),
            "mountAccessor": data.get("mount_accessor"),
            "canonicalId": data.get("canonical_id"),
        },
    )


class IdentityEntityAlias:
    source = "vault/resource_identity_entity_alias.go"

    def _body(self, r: Res) -> dict[str, Any]:
        # util.GetAPIRequestDataWithMap: every field, zero values included.
        return {
            "name": r.get("name", ""),
            "mount_accessor": r.get("mountAccessor", ""),
            "canonical_id": r.get("canonicalId", ""),
            "custom_metadata": r.get("customMetadata") or {},
            "external_id": r.get("externalId", ""),
            "issuer": r.get("issuer", ""),
        }

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        api = s.api()
        # entity.LookupEntityAlias: a POST to identity/lookup/entity before creating.
        found = api.write(
            "identity/lookup/entity",
            {"alias_name": r.get("name"), "alias_mount_accessor": r.get("mountAccessor")},
        )
        for alias in ((found or {}).get("data") or {}).get("aliases") or []:
            if alias.get("name") == r.get("name") and alias.get("mount_accessor") == r.get("mountAccessor"):
                raise AlreadyExists(f"entity alias {r.get('name')!r} already exists, id={alias.get('id')!r}")
        answer = api.write("identity/entity-alias", self._body(r))
        if answer is None:
            raise RuntimeError("unexpected empty response during entity alias creation")
        rid = answer["data"]["id"]
        self.read(s, rid, r)
        return rid, {"id": rid}

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        return _read_alias(s, "entity-alias", rid)

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        s.api().write(f"identity/entity-alias/id/{rid}", self._body(r))
        self.read(s, rid, r)
        return {"id": rid}

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        s.api().delete(f"identity/entity-alias/id/{rid}")


class IdentityGroup:
    source = "vault/resource_identity_group.go"

    def _fields(self, r: Res, create: bool) -> dict[str, Any]:
        """identityGroupUpdateFields: on create the GetOk fields, on update everything when one of them
        changed (an external group never sends member ids: Vault manages them from the aliases)."""
        body: dict[str, Any] = {}
        internal = r.get("type", "internal") == "internal"
        if create:
            if r.ok("name"):
                body["name"] = r.get("name")
            if not r.get("externalPolicies", False):
                body["policies"] = _set(r.get("policies"))
            if internal and not r.get("externalMemberEntityIds", False):
                body["member_entity_ids"] = _set(r.get("memberEntityIds"))
            if internal and not r.get("externalMemberGroupIds", False):
                body["member_group_ids"] = _set(r.get("memberGroupIds"))
            if r.ok("metadata"):
                body["metadata"] = r.get("metadata")
        elif r.any_changed(
            "name", "externalPolicies", "policies", "metadata", "memberEntityIds", "memberGroupIds"
        ):
            body = {
                "name": r.get("name"),
                "metadata": r.get("metadata") or {},
                "policies": _set(r.get("policies")),
            }
            if internal and not r.get("externalMemberEntityIds", False):
                body["member_entity_ids"] = _set(r.get("memberEntityIds"))
            if internal and not r.get("externalMemberGroupIds", False):
                body["member_group_ids"] = _set(r.get("memberGroupIds"))
            body["external_policies"] = bool(r.get("externalPolicies", False))
            if body["external_policies"]:
                del body["policies"]
        return body

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        api, name = s.api(), r.get("name", "")
        answer = api.write("identity/group", {"type": r.get("type", "internal"), **self._fields(r, True)})
        if answer is None:
            # 204: a group of that name exists (the server updated it); the provider reads it and stops.
            api.read(f"identity/group/name/{name}")
            raise AlreadyExists(f"Identity Group {name!r} already exists; import it")
        rid = answer["data"]["id"]
        self.read(s, rid, r)
        return rid, {"id": rid}

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        found = s.api().read(f"identity/group/id/{rid}")  # group.ReadIdentityGroup
        if found is None:
            return None
        data = found.get("data") or {}
        return Observed(
            outputs={"id": rid},
            values={
                "name": data.get("name"),
                "type": data.get("type"),
                "policies": data.get("policies") or [],
                "metadata": data.get("metadata") or {},
            },
        )

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        s.api().write(f"identity/group/id/{rid}", self._fields(r, False))
        self.read(s, rid, r)
        return {"id": rid}

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        s.api().delete(f"identity/group/id/{rid}")


class IdentityGroupAlias:
    source = "vault/resource_identity_group_alias.go"

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        body = {
            "name": r.get("name"),
            "mount_accessor": r.get("mountAccessor"),
            "canonical_id": r.get("canonicalId"),
        }
        answer = s.api().write("identity/group-alias", body)
        if answer is None:
            raise RuntimeError("unexpected empty response during group alias creation")
        rid = answer["data"]["id"]
        self.read(s, rid, r)
        return rid, {"id": rid}

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        return _read_alias(s, "group-alias", rid)

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        # identityGroupAliasUpdate: read the alias, overlay the GetOk fields, write it back.
        api = s.api()
        current = ((api.read(f"identity/group-alias/id/{rid}") or {}).get("data")) or {}
        body = {k: current.get(k) for k in ("name", "mount_accessor", "canonical_id")}
        for key_in, key_api in (
            ("name", "name"),
            ("mountAccessor", "mount_accessor"),
            ("canonicalId", "canonical_id"),
        ):
            if r.ok(key_in):
                body[key_api] = r.get(key_in)
        api.write(f"identity/group-alias/id/{rid}", body)
        self.read(s, rid, r)
        return {"id": rid}

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        s.api().delete(f"identity/group-alias/id/{rid}")


# internal/identity/mfa/totp.go: the write fields and their schema defaults (qr_size: GetOkExists).
_TOTP_FIELDS = {
    "issuer": ("issuer", None),
    "period": ("period", 30),
    "keySize": ("key_size", 20),
    "algorithm": ("algorithm", "SHA256"),
    "digits": ("digits", 6),
    "skew": ("skew", 1),
    "maxValidationAttempts": ("max_validation_attempts", 5),
}


class MfaTotp:
    source = "internal/identity/mfa/mfa.go (totp.go)"

    def _body(self, r: Res) -> dict[str, Any]:
        # GetRequestData: every write field the resource data has (schema defaults included).
        body = {key_api: r.get(key_in, default) for key_in, (key_api, default) in _TOTP_FIELDS.items()}
        if r.exists("qrSize"):
            body["qr_size"] = r.get("qrSize")
        return {k: v for k, v in body.items() if v is not None}

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        # PathTypeMethodID: POST identity/mfa/method/totp, the id is the answer's method_id.
        answer = s.api().write("identity/mfa/method/totp", self._body(r))
        if not answer or "method_id" not in (answer.get("data") or {}):
            raise RuntimeError('expected a value for "method_id"')
        rid = answer["data"]["method_id"]
        found = self.read(s, rid, r)
        return rid, (found.outputs if found else {"id": rid, "methodId": rid})

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        found = s.api().read(f"identity/mfa/method/totp/{rid}")
        if found is None:
            return None
        data = found.get("data") or {}
        values = {
            key_in: data.get(key_api) for key_in, (key_api, _) in _TOTP_FIELDS.items() if key_api in data
        }
        return Observed(outputs={"id": rid, "methodId": rid}, values=values)

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        # "login MFA does not support partial updates": the whole body again, to the method's path.
        s.api().write(f"identity/mfa/method/totp/{rid}", self._body(r))
        found = self.read(s, rid, r)
        return found.outputs if found else {"id": rid, "methodId": rid}

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        s.api().delete(f"identity/mfa/method/totp/{rid}")


_ENFORCEMENT_LISTS = {
    "mfaMethodIds": "mfa_method_ids",
    "authMethodAccessors": "auth_method_accessors",
    "authMethodTypes": "auth_method_types",
    "identityGroupIds": "identity_group_ids",
    "identityEntityIds": "identity_entity_ids",
}


class MfaLoginEnforcement:
    source = "internal/identity/mfa/mfa.go (login_enforcement.go)"

    def _body(self, r: Res) -> dict[str, Any]:
        return {
            key_api: _set(r.get(key_in)) for key_in, key_api in _ENFORCEMENT_LISTS.items() if r.ok(key_in)
        }

    def create(self, s: ProviderSession, r: Res) -> tuple[str, dict[str, Any]]:
        # PathTypeName: POST identity/mfa/login-enforcement/<name>; the id is the name.
        rid = str(r.get("name"))
        s.api().write(f"identity/mfa/login-enforcement/{rid}", self._body(r))
        self.read(s, rid, r)
        return rid, {}

    def read(self, s: ProviderSession, rid: str, r: Res) -> Observed | None:
        found = s.api().read(f"identity/mfa/login-enforcement/{rid}")
        if found is None:
            return None
        data = found.get("data") or {}
        values = {key_in: data.get(key_api) or [] for key_in, key_api in _ENFORCEMENT_LISTS.items()}
        return Observed(values={"name": rid, **values})

    def update(self, s: ProviderSession, rid: str, r: Res) -> dict[str, Any]:
        s.api().write(f"identity/mfa/login-enforcement/{rid}", self._body(r))
        self.read(s, rid, r)
        return {}

    def delete(self, s: ProviderSession, rid: str, r: Res) -> None:
        s.api().delete(f"identity/mfa/login-enforcement/{rid}")


HANDLERS: dict[str, Handler] = {
    "vault:index/policy:Policy": Policy(),
    "vault:index/mount:Mount": Mount(),
    "vault:index/authBackend:AuthBackend": AuthBackend(),
    "vault:index/audit:Audit": Audit(),
    "vault:index/quotaRateLimit:QuotaRateLimit": QuotaRateLimit(),
    "vault:generic/endpoint:Endpoint": GenericEndpoint(),
    "vault:index/plugin:Plugin": Plugin(),
    "vault:kv/secretBackendV2:SecretBackendV2": KvV2Config(),
    "vault:transit/secretBackendKey:SecretBackendKey": TransitKey(),
    "vault:database/secretBackendConnection:SecretBackendConnection": DatabaseConnection(),
    "vault:database/secretBackendRole:SecretBackendRole": DatabaseRole(),
    "vault:database/secretBackendStaticRole:SecretBackendStaticRole": DatabaseStaticRole(),
    "vault:aws/secretBackend:SecretBackend": AwsSecretBackend(),
    "vault:aws/secretBackendRole:SecretBackendRole": AwsSecretBackendRole(),
    "vault:kubernetes/authBackendConfig:AuthBackendConfig": KubernetesAuthConfig(),
    "vault:kubernetes/authBackendRole:AuthBackendRole": KubernetesAuthRole(),
    "vault:jwt/authBackend:AuthBackend": JwtAuthBackend(),
    "vault:jwt/authBackendRole:AuthBackendRole": JwtAuthRole(),
    "vault:identity/entity:Entity": IdentityEntity(),
    "vault:identity/entityAlias:EntityAlias": IdentityEntityAlias(),
    "vault:identity/group:Group": IdentityGroup(),
    "vault:identity/groupAlias:GroupAlias": IdentityGroupAlias(),
    "vault:identity/mfaTotp:MfaTotp": MfaTotp(),
    "vault:identity/mfaLoginEnforcement:MfaLoginEnforcement": MfaLoginEnforcement(),
}
"""The explicit type map: a type missing here stops the apply, naming it."""


def differences(declared: Mapping[str, Any], observed: Mapping[str, Any]) -> list[str]:
    """Declared inputs a Read found different (the provider's diff after a refresh, roughly: lists
    compare as sets, an unset value equals the zero value, numbers compare by value)."""
    return sorted(key for key, seen in observed.items() if key in declared and not _same(declared[key], seen))


def _same(a: Any, b: Any) -> bool:
    if _is_zero(a) and _is_zero(b):
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return all(_same(a.get(k), b.get(k)) for k in set(a) | set(b))
    if isinstance(a, list) and isinstance(b, list):
        key: Callable[[Any], str] = lambda v: json.dumps(v, sort_keys=True, default=str)  # noqa: E731
        return len(a) == len(b) and all(
            _same(x, y) for x, y in zip(sorted(a, key=key), sorted(b, key=key), strict=True)
        )
    return a == b
