"""TLS turned off or unverified, wherever it shows: provider config, rendered server HCL, scripts, env, URLs."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from policies.rules.limits import Limits
from policies.rules.registry import resource_rule
from policies.rules.values import field, truthy
from policies.rules.vault_engines import DATABASE_CONNECTION, DATABASE_MOUNT, connections
from policies.rules.workloads import WORKLOAD_TYPES, containers, pod_spec

_Tagged = tuple[str, str]  # (rule ID, message): one scan feeds VP-TLS-001 and VP-TLS-002
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
OPAQUE = "kubernetes:core/v1:Secret"  # the Secret kind (named so that no scanner reads it as a credential)
_PRODUCTION_HARDENING = "https://developer.hashicorp.com/vault/docs/concepts/production-hardening"

VAULT_PROVIDER = "pulumi:providers:vault"
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_TRUE = r"(?:true|\"true\"|1|\"1\")"
_TEXT_RULES = (
    (re.compile(rf"\btls_disable\s*=\s*{_TRUE}", re.IGNORECASE), "VP-TLS-001", "tls_disable is set"),
    (re.compile(rf"\btls_skip_verify\s*=\s*{_TRUE}", re.IGNORECASE), "VP-TLS-001", "tls_skip_verify is set"),
    (re.compile(r"\b(?:VAULT|BAO)_SKIP_VERIFY\s*[=:]\s*[\"']?(?:true|1)\b", re.IGNORECASE), "VP-TLS-001",
     "VAULT_SKIP_VERIFY is set"),
    (re.compile(r"(?:^|\s)-{1,2}tls-skip-verify\b"), "VP-TLS-001", "-tls-skip-verify is used"),
    (re.compile(r"\bcurl\b[^\n]*\s(?:-k|--insecure)\b"), "VP-TLS-001", "curl --insecure is used"),
    (re.compile(r"\btls_min_version\s*=\s*\"?tls1[01]\"?", re.IGNORECASE), "VP-TLS-002",
     "tls_min_version below tls12"),
)  # fmt: skip
_ADDRESS_VARIABLES = frozenset({"VAULT_ADDR", "BAO_ADDR"})
_SKIP_VARIABLES = frozenset({"VAULT_SKIP_VERIFY", "BAO_SKIP_VERIFY"})


def _not_loopback(url: str) -> bool:
    return (urlparse(url).hostname or "") not in _LOOPBACK


def _clear_http(url: Any) -> bool:
    return isinstance(url, str) and url.strip().lower().startswith("http://") and _not_loopback(url.strip())


def scan_text(text: str, where: str) -> list[_Tagged]:
    found: list[_Tagged] = []
    for line in text.splitlines():
        if line.lstrip().startswith(("#", "//")):
            continue
        for pattern, rule_id, what in _TEXT_RULES:
            if pattern.search(line):
                found.append((rule_id, f"{where}: {what} ({line.strip()[:80]})"))
    return found


def vault_provider(inputs: Mapping[str, Any]) -> list[_Tagged]:
    found: list[_Tagged] = []
    if truthy(field(inputs, "skipTlsVerify")):
        found.append(("VP-TLS-001", "Vault provider skip_tls_verify is set"))
    if _clear_http(field(inputs, "address")):
        found.append(("VP-TLS-001", f"Vault provider address {field(inputs, 'address')} is plain HTTP"))
    return found


def _decoded(value: Any, base64_encoded: bool) -> str:
    if not isinstance(value, str):
        return ""
    if not base64_encoded:
        return value
    try:
        return base64.b64decode(value, validate=True).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return value


def config_data(inputs: Mapping[str, Any]) -> list[_Tagged]:
    """ConfigMaps and Secrets: rendered server HCL and scripts (e.g. a snapshot job's) live there."""
    found: list[_Tagged] = []
    for key, base64_encoded in (("data", None), ("stringData", False), ("binaryData", True)):
        entries = field(inputs, key) or {}
        if not isinstance(entries, dict):
            continue
        # A Secret's `data` is base64; a ConfigMap's is text.
        encoded = base64_encoded if base64_encoded is not None else field(inputs, "kind") == "Secret"
        for name, value in entries.items():
            found += scan_text(_decoded(value, encoded), name)
    return found


def workload(spec: Mapping[str, Any]) -> list[_Tagged]:
    found: list[_Tagged] = []
    for container in containers(spec):
        name = container.get("name", "?")
        for variable in container.get("env") or []:
            if not isinstance(variable, dict):
                continue
            key, value = variable.get("name"), variable.get("value")
            if key in _SKIP_VARIABLES and truthy(value):
                found.append(("VP-TLS-001", f"container {name!r} sets {key}={value}"))
            if key in _ADDRESS_VARIABLES and _clear_http(value):
                found.append(("VP-TLS-001", f"container {name!r} sets {key}={value} (plain HTTP)"))
        command = " ".join(
            str(part) for part in (container.get("command") or []) + (container.get("args") or [])
        )
        found += scan_text(command, f"container {name!r} command")
    return found


def database_url(url: Any, where: str) -> list[_Tagged]:
    if (
        isinstance(url, str)
        and re.search(r"sslmode=disable", url)
        and _not_loopback(url.replace("{{", "").replace("}}", ""))
    ):
        return [("VP-TLS-001", f"{where}: connection_url sets sslmode=disable")]
    return []


def _scan(type_token: str, inputs: Mapping[str, Any]) -> list[_Tagged]:
    """Every TLS problem of one resource, whichever rule it belongs to."""
    if type_token == VAULT_PROVIDER:
        return vault_provider(inputs)
    if type_token == CONFIG_MAP:
        return config_data(inputs)
    if type_token == OPAQUE:
        # A Secret's `data` is base64 whether or not the inputs carry `kind` (mocks do, CrossGuard may not).
        return config_data({key: inputs[key] for key in inputs if key != "kind"} | {"kind": "Secret"})
    if type_token in (DATABASE_CONNECTION, DATABASE_MOUNT):
        return [
            finding
            for name, _roles, url in connections(type_token, inputs)
            for finding in database_url(url, f"connection {name!r}")
        ]
    if type_token in WORKLOAD_TYPES:
        return workload(pod_spec(type_token, inputs))
    return []


@resource_rule(
    "VP-TLS-001",
    types=(VAULT_PROVIDER, CONFIG_MAP, OPAQUE, DATABASE_CONNECTION, DATABASE_MOUNT, *WORKLOAD_TYPES),
    title="TLS disabled or unverified (tls_disable, tls_skip_verify, skipTlsVerify, VAULT_SKIP_VERIFY, http://)",
    why="Vault tokens and secrets would cross the network in clear, or to an unauthenticated peer.",
    source=_PRODUCTION_HARDENING + " (end-to-end TLS)",
)
def tls_off(type_token: str, inputs: Mapping[str, Any], _limits: Limits) -> list[str]:
    return [message for rule_id, message in _scan(type_token, inputs) if rule_id == "VP-TLS-001"]


@resource_rule(
    "VP-TLS-002",
    types=(CONFIG_MAP, OPAQUE, *WORKLOAD_TYPES),
    title="listener tls_min_version below TLS 1.2",
    why="TLS 1.0/1.1 are deprecated (RFC 8996).",
    source="https://developer.hashicorp.com/vault/docs/configuration/listener/tcp#tls_min_version; RFC 8996",
)
def tls_old(type_token: str, inputs: Mapping[str, Any], _limits: Limits) -> list[str]:
    return [message for rule_id, message in _scan(type_token, inputs) if rule_id == "VP-TLS-002"]
