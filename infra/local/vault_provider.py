"""The Terraform Vault provider's client, as pulumi-vault runs it: its start-up and its raw HTTP calls.

Source: hashicorp/terraform-provider-vault `internal/provider/meta.go` (`setClient`, `createChildToken`,
`getVaultVersion`), `internal/provider/provider.go` (the provider's inputs) and the Vault Go API client
the provider calls (`api/logical.go`: Read is a GET that maps 404 to "nothing", Write a PUT, Delete a
DELETE; `api/sys_*.go` for the sys/ helpers).

Start-up, in the provider's order, the first time a resource needs the client:
1. `GET auth/token/lookup-self` with the token from the environment (CI: the JWT login's token);
2. unless `skip_child_token` is true, `POST auth/token/create` for a child token named `token_name`
   (default "terraform") that lives `max_lease_ttl_seconds` (default 1200), and every later call uses
   the child token;
3. a `namespace` input becomes the `X-Vault-Namespace` header.
The server version (`GET sys/seal-status`, unauthenticated) is fetched once, when a resource first asks
whether an API is supported.

Every call is recorded (method, path, status and the body's field names, never values), and a refused
call raises `VaultRefused` naming the method, the path and the server's answer.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.local.client import client as hvac_client

DEFAULT_TOKEN_NAME = "terraform"  # noqa: S105 (the child token's display name, meta.go)
DEFAULT_CHILD_TTL = 1200  # max_lease_ttl_seconds / TERRAFORM_VAULT_MAX_TTL default, meta.go


class VaultRefused(RuntimeError):
    """The server refused a call (or failed it): 4xx/5xx other than a read's 404."""

    def __init__(self, method: str, path: str, status: int, errors: list[str]) -> None:
        self.method, self.path, self.status, self.errors = method, path, status, errors
        detail = "; ".join(e.strip().replace("\n", " ") for e in errors) or "no error text"
        super().__init__(f"{method} {path}: {status} {detail}")


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    status: int
    fields: tuple[str, ...] = ()  # the body's top-level keys (values may be secrets: never kept)
    token: str = ""  # which identity sent it: "parent", "child" or "none"


def _plain_json(value: str) -> Any:
    try:
        return json.loads(value)
    except (TypeError, json.JSONDecodeError):
        return value


@dataclass(frozen=True)
class ProviderConfig:
    """A `pulumi:providers:vault` registration's inputs (the SDK hands them over JSON-encoded)."""

    address: str
    skip_child_token: bool = False
    token_name: str = DEFAULT_TOKEN_NAME
    max_lease_ttl_seconds: int = DEFAULT_CHILD_TTL
    namespace: str = ""
    skip_get_vault_version: bool = False
    skip_tls_verify: bool = False

    @classmethod
    def from_inputs(cls, inputs: Mapping[str, Any]) -> ProviderConfig:
        values = {key: _plain_json(value) for key, value in inputs.items()}
        address = values.get("address")
        if not address:
            raise ValueError("the provider declares no address (it would fall back to VAULT_ADDR)")
        return cls(
            address=str(address),
            skip_child_token=bool(values.get("skipChildToken", False)),
            token_name=str(values.get("tokenName") or DEFAULT_TOKEN_NAME),
            # GetResourceDataInt: 0 means "unset", then the default applies.
            max_lease_ttl_seconds=int(values.get("maxLeaseTtlSeconds") or DEFAULT_CHILD_TTL),
            namespace=str(values.get("namespace") or "").strip("/"),
            skip_get_vault_version=bool(values.get("skipGetVaultVersion", False)),
            skip_tls_verify=bool(values.get("skipTlsVerify", False)),
        )


class VaultApi:
    """Raw calls to one server with one token, as the Go API client makes them."""

    def __init__(
        self,
        address: str,
        ca_cert: Path,
        token: str | None,
        calls: list[Call],
        namespace: str = "",
        label: str = "",
    ) -> None:
        self.address = address.rstrip("/")
        self.token = token
        self.namespace = namespace
        self.calls = calls
        self.label = label
        self.ca_cert = str(ca_cert)
        # The local client's session: verifies TLS with the local CA, backs off on 429 (a refused
        # request, so any method may be repeated), like the Go client's retries.
        self._session = hvac_client(address, ca_cert).adapter.session

    def request(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> tuple[int, Any]:
        path = path.strip("/")
        headers = {}
        if self.token:
            headers["X-Vault-Token"] = self.token
        if self.namespace:
            headers["X-Vault-Namespace"] = self.namespace
        response = self._session.request(
            "GET" if method == "LIST" else method,
            f"{self.address}/v1/{path}",
            params={"list": "true"} if method == "LIST" else None,
            headers=headers,
            data=json.dumps(body) if body is not None else None,
            # Explicit: with verify unset, requests would prefer a CA bundle named in the environment.
            verify=self.ca_cert,
            timeout=30,
        )
        fields = tuple(sorted(body)) if isinstance(body, Mapping) else ()
        self.calls.append(Call(method, path, response.status_code, fields, self.label))
        try:
            parsed = response.json() if response.content else None
        except ValueError:
            parsed = None
        return response.status_code, parsed

    def _raise(self, method: str, path: str, status: int, parsed: Any) -> None:
        errors = parsed.get("errors", []) if isinstance(parsed, dict) else []
        raise VaultRefused(method, path.strip("/"), status, [str(e) for e in errors])

    def read(self, path: str) -> dict[str, Any] | None:
        """`Logical().Read`: the response, or None when the server answers 404 without data."""
        status, parsed = self.request("GET", path)
        if status == 404:
            if isinstance(parsed, dict) and (parsed.get("data") or parsed.get("warnings")):
                return parsed
            return None
        if status >= 400:
            self._raise("GET", path, status, parsed)
        return parsed if isinstance(parsed, dict) else None

    def write(self, path: str, body: Mapping[str, Any], method: str = "PUT") -> dict[str, Any] | None:
        """`Logical().Write` (a PUT) and the sys/ helpers that POST: the response, None on 204."""
        status, parsed = self.request(method, path, body)
        if status >= 400:
            self._raise(method, path, status, parsed)
        return parsed if isinstance(parsed, dict) else None

    def retry_write(
        self, path: str, body: Mapping[str, Any], tries: int = 60, delay: float = 0.5
    ) -> dict[str, Any] | None:
        """util.RetryWrite (DefaultRequestOpts): a PUT repeated every 0.5 s, up to 60 times, while the
        server answers 400 (e.g. a new KV v2 mount "upgrading from non-versioned to versioned data")."""
        for attempt in range(tries + 1):
            try:
                return self.write(path, body)
            except VaultRefused as err:
                if err.status != 400 or attempt == tries:
                    raise
                time.sleep(delay)
        return None

    def delete(self, path: str) -> None:
        status, parsed = self.request("DELETE", path)
        if status >= 400 and status != 404:
            self._raise("DELETE", path, status, parsed)


class ProviderSession:
    """One declared `pulumi:providers:vault`: what its configured client does before and between calls."""

    def __init__(
        self, name: str, config: ProviderConfig, ca_cert: Path, token: str, calls: list[Call]
    ) -> None:
        self.name = name
        self.config = config
        self.ca_cert = ca_cert
        self.token = token
        self.calls = calls
        self._api: VaultApi | None = None
        self._version: tuple[int, ...] | None = None
        self._version_read = False
        self.started = False
        # The engine runs resource operations in parallel; the provider sets its client up once, under
        # its ProviderMeta mutex.
        self._lock = threading.RLock()

    def api(self) -> VaultApi:
        """The client every resource uses (meta.go `GetClient` -> `setClient` the first time)."""
        with self._lock:
            if self._api is None:
                self._api = self._start()
            return self._api

    def _start(self) -> VaultApi:
        c = self.config
        api = VaultApi(c.address, self.ca_cert, self.token, self.calls, label="parent")
        # meta.go: "tokenInfo, err := client.Auth().Token().LookupSelf()".
        api.read("auth/token/lookup-self")
        if not c.skip_child_token:
            # meta.go createChildToken: a non-renewable child that expires after max_lease_ttl_seconds.
            ttl = f"{c.max_lease_ttl_seconds}s"
            answer = api.write(
                "auth/token/create",
                {"display_name": c.token_name, "ttl": ttl, "explicit_max_ttl": ttl, "renewable": False},
                method="POST",
            )
            child = ((answer or {}).get("auth") or {}).get("client_token")
            if not child:
                raise RuntimeError("auth/token/create answered without a client token")
            api = VaultApi(c.address, self.ca_cert, child, self.calls, label="child")
        if c.namespace:
            api.namespace = c.namespace
        self.started = True
        return api

    def version(self) -> tuple[int, ...] | None:
        """meta.go getVaultVersion: `GET sys/seal-status` (no namespace), once; None when skipped."""
        with self._lock:
            if not self._version_read:
                if not self.config.skip_get_vault_version:
                    api = self.api()
                    probe = VaultApi(
                        self.config.address, self.ca_cert, api.token, self.calls, label=api.label
                    )
                    status = probe.read("sys/seal-status") or {}
                    raw = str(status.get("version") or "0").split("+", 1)[0].split("-", 1)[0]
                    self._version = tuple(int(part) for part in raw.split(".") if part.isdigit())
                self._version_read = True
            return self._version

    def api_supported(self, *minimum: int) -> bool:
        """provider.IsAPISupported: the server's version is at least `minimum` (False if unknown)."""
        found = self.version()
        return found is not None and len(found) > 0 and found >= minimum

    @staticmethod
    def enterprise() -> bool:
        # IsEnterpriseSupported looks for "+ent" in the version: neither OpenBao nor Vault CE has it.
        return False
