"""Token and lease lifetimes, wherever they are declared: auth roles, tokens, database and AWS roles."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.rules.limits import Limits
from policies.rules.registry import resource_rule
from policies.rules.values import field, seconds
from policies.rules.vault_auth import AUTH_ROLES, TOKEN

DATABASE_ROLE = "vault:database/secretBackendRole:SecretBackendRole"
AWS_ROLE = "vault:aws/secretBackendRole:SecretBackendRole"
# Lease settings: (default key, max key) per type, as the provider names them.
_LEASES = {DATABASE_ROLE: ("defaultTtl", "maxTtl"), AWS_ROLE: ("defaultStsTtl", "maxStsTtl")}
_LEASE_NAMES = {"defaultTtl": "default_ttl", "maxTtl": "max_ttl", "defaultStsTtl": "default_sts_ttl",
                "maxStsTtl": "max_sts_ttl"}  # fmt: skip
_ROLE_KEYS = ("tokenTtl", "tokenMaxTtl", "tokenExplicitMaxTtl", "tokenPeriod")
_TOKEN_KEYS = ("ttl", "explicitMaxTtl", "period")


def _values(inputs: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, float | None]:
    return {key: seconds(field(inputs, key)) for key in keys}


@resource_rule(
    "VP-TTL-001",
    types=(*AUTH_ROLES, TOKEN),
    title="auth role or token without a TTL cap (no token_max_ttl/explicit max), or periodic without "
    "explicit max",
    why="Uncapped tokens default to the system max (32 days); periodic ones renew forever.",
    source="https://developer.hashicorp.com/vault/docs/concepts/tokens#token-time-to-live-periodic-tokens-and-"
    "explicit-max-ttls",
)
def uncapped(type_token: str, inputs: Mapping[str, Any], _limits: Limits) -> list[str]:
    if type_token == TOKEN:
        values = _values(inputs, _TOKEN_KEYS)
        if (values["period"] or 0) > 0 and (values["explicitMaxTtl"] or 0) <= 0:
            return ["periodic token without explicit_max_ttl renews forever"]
        if (values["ttl"] or 0) <= 0 and (values["explicitMaxTtl"] or 0) <= 0:
            return ["token without ttl or explicit_max_ttl inherits the system max"]
        return []
    values = _values(inputs, _ROLE_KEYS)
    explicit = values["tokenExplicitMaxTtl"] or 0
    if (values["tokenPeriod"] or 0) > 0 and explicit <= 0:
        return ["periodic tokens (token_period) without token_explicit_max_ttl renew forever"]
    if (values["tokenMaxTtl"] or 0) <= 0 and explicit <= 0:
        return ["no token_max_ttl or token_explicit_max_ttl: tokens default to the system max"]
    return []


@resource_rule(
    "VP-TTL-002",
    types=(*AUTH_ROLES, TOKEN, DATABASE_ROLE, AWS_ROLE),
    title="token or lease TTL above the cap (default 24h; pack config `maxTtlSeconds`)",
    why="Short-lived credentials are the point of Vault: a leaked credential is only useful until it expires.",
    source="https://developer.hashicorp.com/vault/docs/concepts/production-hardening",
)
def above_cap(type_token: str, inputs: Mapping[str, Any], limits: Limits) -> list[str]:
    if type_token in _LEASES:
        values = _values(inputs, _LEASES[type_token])
        names = {key: _LEASE_NAMES[key] for key in values}
    else:
        values = _values(inputs, _TOKEN_KEYS if type_token == TOKEN else _ROLE_KEYS)
        names = {key: key for key in values}
    return [
        f"{names[key]}={value:.0f}s is above the cap of {limits.max_ttl_seconds:.0f}s"
        for key, value in values.items()
        if value is not None and value > limits.max_ttl_seconds
    ]


@resource_rule(
    "VP-TTL-003",
    types=(*AUTH_ROLES, DATABASE_ROLE, AWS_ROLE),
    title="default TTL above max TTL (token_ttl > token_max_ttl, default_ttl > max_ttl, STS default > max)",
    why="Vault silently clamps it: the declared default is a lie, a known mistake of public Vault modules.",
    source="https://developer.hashicorp.com/vault/docs/concepts/lease",
)
def default_above_max(type_token: str, inputs: Mapping[str, Any], _limits: Limits) -> list[str]:
    default_key, max_key = _LEASES.get(type_token, ("tokenTtl", "tokenMaxTtl"))
    default, maximum = seconds(field(inputs, default_key)) or 0, seconds(field(inputs, max_key)) or 0
    if default > 0 and maximum > 0 and default > maximum:
        names = (_LEASE_NAMES.get(default_key, "token_ttl"), _LEASE_NAMES.get(max_key, "token_max_ttl"))
        return [f"{names[0]} {default:.0f}s is above {names[1]} {maximum:.0f}s"]
    return []
