"""A throwaway OpenBao dev server on loopback, and the probes that ask it what a policy really grants.

The probes are concrete request paths outside the probe identity's own tenant (`app-a`): other services'
secrets on every mount layout the corpus uses, and the control plane (sys/, auth/, identity/, engine
administration). A probe "reaches" when `sys/capabilities` for a token holding the policy lists one of the
probe's counting capabilities; for endpoints whose target is a request parameter (lease revoke, token by
accessor) the request is then made for real with another tenant's value, and only a non-403 answer counts.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.local.ports import free_ports
from policies.rules.acl_rules import sys_allowed
from tests import servers
from tests.ci_skips import in_ci as in_ci  # the one definition of "in CI"

ROOT_TOKEN = "policy-agreement-root"  # a dev server's root token on loopback, discarded with it
ALL = frozenset({"create", "read", "update", "patch", "delete", "list", "sudo"})
DATA = ALL - {"sudo"}
WRITE = frozenset({"create", "update", "patch", "delete"})
WRITE_SUDO = WRITE | {"sudo"}
MINT = frozenset({"create", "update", "patch"})
# The probe identity's service is app-a; the others carry metadata that a template could also resolve to
# (a layout directory, an operation, a mount), since the linter judges every value an identity may hold.
IDENTITIES = ("app-a", "apps", "data", "kv")

_TENANT_PATHS = (
    "kv/data/app-b/x", "kv/metadata/app-b/x", "kv/destroy/app-b/x", "kv/data/app-a2/x", "kv/data/app-b/config",
    "kv/data/config", "kv/data/apps/app-b/x", "kv/data/apps/app-a2/x", "kv/metadata/apps/app-b/x",
    "kv/data/apps/app-b/config", "kv/data/apps/billing/invoices/summary", "kv/data/ai/providers/openai/app-b",
    "kv/data/ai/providers/anthropic/app-a", "secret/app-b/x", "secret/data/app-b/x", "secret-app-b/x",
    "database/creds/app-b", "database/creds/app-a2", "database/static-creds/app-b", "aws/creds/app-b",
    "aws/sts/app-b", "transit/encrypt/app-b", "transit/decrypt/app-b", "transit/sign/app-b", "pki/issue/app-b",
    "pki_int/issue/app-b",
)  # fmt: skip
_SYS_PATHS = (
    "sys/mounts", "sys/mounts/x", "sys/mounts/kv", "sys/mounts/x/tune", "sys/remount", "sys/auth", "sys/auth/x",
    "sys/auth/github", "sys/auth/x/tune", "sys/audit", "sys/audit/file", "sys/seal", "sys/unseal",
    "sys/step-down", "sys/raw/x", "sys/generate-root/attempt", "sys/generate-recovery-token/attempt",
    "sys/rekey/init", "sys/policies/acl/x", "sys/policies/acl/svc-x", "sys/policies/acl/default",
    "sys/policy/app-a", "sys/leases/revoke-prefix/x", "sys/leases/revoke-prefix/database/creds",
    "sys/leases/revoke-force/x", "sys/leases/lookup", "sys/leases/renew", "sys/revoke-prefix/x",
    "sys/capabilities-self", "sys/capabilities", "sys/metrics", "sys/health", "sys/storage/raft/snapshot",
    "sys/storage/raft/configuration", "sys/tools/hash", "sys/tools/random", "sys/wrapping/wrap",
    "sys/wrapping/unwrap", "sys/wrapping/rewrap", "sys/quotas/rate-limit/x", "sys/plugins/catalog/x",
    "sys/config/auditing/request-headers/x", "sys/internal/counters/activity", "sys/namespaces/x",
    "ns1/sys/policies/acl/x", "ns1/sys/mounts/x", "ns1/sys/raw/x",
)  # fmt: skip
_CONTROL: tuple[tuple[str, frozenset[str]], ...] = (
    ("auth/token/create", MINT), ("auth/token/create-orphan", MINT), ("auth/token/create/ci", MINT),
    ("auth/token/roles/ci", WRITE), ("auth/token/accessors", frozenset({"list", "read", "sudo"})),
    ("auth/token/revoke-orphan", MINT), ("auth/kubernetes/role/app-a", WRITE), ("auth/kubernetes/config", WRITE),
    ("auth/jwt/config", WRITE), ("auth/jwt/role/x", WRITE), ("auth/userpass/users/x", WRITE),
    ("auth/approle/role/app-a/secret-id", WRITE), ("ns1/auth/token/create", MINT), ("ns1/auth/jwt/config", WRITE),
    ("identity/entity", WRITE), ("identity/entity/id/x", WRITE), ("identity/entity-alias", WRITE),
    ("identity/group/name/admins", WRITE), ("identity/group/id/x", WRITE), ("ns1/identity/entity/id/x", WRITE),
    ("database/config/postgres", WRITE), ("database/roles/app-a", WRITE), ("database/static-roles/app-a", WRITE),
    ("database/rotate-root/postgres", WRITE), ("aws/config/root", WRITE), ("aws/roles/app-a", WRITE),
    ("pki/root/generate/internal", WRITE), ("pki_int/intermediate/set-signed", WRITE), ("kv/config", WRITE),
    ("pki/sign-verbatim", MINT), ("pki_int/sign-verbatim/app-a", MINT), ("pki/root/sign-intermediate", MINT),
    ("pki/issuer/default/sign-intermediate", MINT), ("transit/keys/app-a", WRITE),
    ("transit/keys/app-a/config", WRITE), ("transit/keys/app-a/trim", MINT), ("transit/keys/app-a/import", MINT),
    ("transit/keys/app-a/import_version", MINT), ("transit/export/encryption-key/app-a", frozenset({"read"})),
    ("transit/backup/app-a", frozenset({"read"})), ("transit/restore/app-a", MINT),
)  # fmt: skip


def _sys_counting(path: str) -> frozenset[str]:
    inner = path.removeprefix("ns1/")
    return ALL - sys_allowed(inner)


PROBES: dict[str, frozenset[str]] = {
    **{path: DATA for path in _TENANT_PATHS},
    **{path: _sys_counting(path) for path in _SYS_PATHS},
    **dict(_CONTROL),
}
# Probes whose target is a parameter: (method, body naming another tenant's value). sys/leases/revoke is a
# SYS probe with `update` counting; the action decides.
ACTIONS: dict[str, dict[str, str]] = {
    "sys/leases/revoke": {"lease_id": "database/creds/app-b/probe"},
    "auth/token/revoke-accessor": {"accessor": "accessor-of-someone-else"},
    "auth/token/lookup-accessor": {"accessor": "accessor-of-someone-else"},
}
PROBES.update({"sys/leases/revoke": frozenset({"update", "create"}),
               "auth/token/revoke-accessor": MINT, "auth/token/lookup-accessor": MINT})  # fmt: skip


def bao_binary() -> str | None:
    """`bao` next to the running interpreter (the venv this test runs in), then PATH (tests/servers.py)."""
    return servers.bao()


@contextmanager
def dev_server(binary: str, log_dir: Path) -> Iterator[str]:
    """A dev server on a free loopback port; retried on a port lost to another process between pick and bind."""
    for attempt in range(3):
        [port] = free_ports(1)
        address = f"127.0.0.1:{port}"
        log = (log_dir / f"server-{attempt}.log").open("w")
        process = subprocess.Popen(
            [binary, "server", "-dev", f"-dev-listen-address={address}", f"-dev-root-token-id={ROOT_TOKEN}"],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://{address}"  # dev mode on loopback only, for policy checks
        try:
            if _wait_ready(url, process):
                yield url
                return
        finally:
            process.terminate()
            process.wait(timeout=10)
            log.close()
    raise RuntimeError(f"OpenBao dev server did not start; see {log_dir}")


def _wait_ready(url: str, process: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{url}/v1/sys/health", timeout=1):  # noqa: S310 - fixed loopback URL
                return True
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise RuntimeError("OpenBao dev server did not answer /v1/sys/health within 30 s")


@dataclass
class Client:
    url: str

    def call(self, method: str, path: str, body: Any = None, token: str = ROOT_TOKEN) -> tuple[int, Any]:
        request = urllib.request.Request(  # noqa: S310 - fixed loopback URL
            f"{self.url}/v1/{path}",
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"X-Vault-Token": token},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None

    def write_policy(self, name: str, text: str) -> int:
        return self.call("PUT", f"sys/policies/acl/{name}", {"policy": text})[0]


def prepare_identities(client: Client) -> None:
    """A namespace, one entity per probe identity (metadata `service`), and a token role that logs in as them."""
    client.call("POST", "sys/namespaces/ns1", {})
    _, auth = client.call("GET", "sys/auth")
    accessor = auth["data"]["token/"]["accessor"]
    for service in IDENTITIES:
        _, entity = client.call(
            "POST", "identity/entity", {"name": f"probe-{service}", "metadata": {"service": service}}
        )
        client.call(
            "POST", "identity/entity-alias",
            {"name": f"probe-{service}", "canonical_id": entity["data"]["id"], "mount_accessor": accessor},
        )  # fmt: skip
    status, _ = client.call(
        "POST",
        "auth/token/roles/probe",
        {"allowed_entity_aliases": [f"probe-{s}" for s in IDENTITIES], "orphan": True},
    )
    if status not in (200, 204):
        raise RuntimeError(f"token role for probes: HTTP {status}")


def token_for(client: Client, policy: str, identity: str) -> str:
    status, body = client.call(
        "POST", "auth/token/create/probe",
        {"policies": [policy], "entity_alias": f"probe-{identity}", "no_default_policy": True, "ttl": "10m"},
    )  # fmt: skip
    if status != 200:
        raise RuntimeError(f"token for {policy}: HTTP {status} {body}")
    return str(body["auth"]["client_token"])


def reached(
    client: Client, policy: str, identities: tuple[str, ...], skip: frozenset[str] = frozenset()
) -> set[str]:
    """The probe paths a token holding `policy` reaches, for any of `identities`."""
    found: set[str] = set()
    paths = sorted(set(PROBES) - skip)
    for identity in identities:
        token = token_for(client, policy, identity)
        status, body = client.call("POST", "sys/capabilities", {"token": token, "paths": paths})
        if status != 200:
            raise RuntimeError(f"sys/capabilities: HTTP {status} {body}")
        for path in paths:
            granted = set(body["data"].get(path, [])) - {"deny"}
            if not granted & PROBES[path]:
                continue
            if path in ACTIONS:
                action_status, _ = client.call("POST", path, ACTIONS[path], token=token)
                if action_status == 403:
                    continue
            found.add(path)
    return found
