"""Rules over Vault auth roles and tokens declared as resources."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.rules.limits import Limits
from policies.rules.values import as_list, field, seconds, truthy

RawFinding = tuple[str, str]

KUBERNETES_ROLE = "vault:kubernetes/authBackendRole:AuthBackendRole"
JWT_ROLE = "vault:jwt/authBackendRole:AuthBackendRole"
APPROLE_ROLE = "vault:appRole/authBackendRole:AuthBackendRole"
TOKEN_ROLE = "vault:tokenauth/authBackendRole:AuthBackendRole"  # noqa: S105 - a type token
TOKEN = "vault:index/token:Token"  # noqa: S105 - a type token


def _wildcard_or_empty(values: list[Any]) -> bool:
    cleaned = [str(value).strip() for value in values]
    return not cleaned or any(value == "" or value.startswith("*") for value in cleaned)


def kubernetes_role(inputs: Mapping[str, Any], limits: Limits) -> list[RawFinding]:
    found: list[RawFinding] = []
    names = as_list(field(inputs, "boundServiceAccountNames"))
    if _wildcard_or_empty(names):
        found.append(
            ("VP-K8SAUTH-001", f"bound_service_account_names={names}: bind the service's own account")
        )
    namespaces = as_list(field(inputs, "boundServiceAccountNamespaces"))
    selector = field(inputs, "boundServiceAccountNamespaceSelector")
    if (namespaces and _wildcard_or_empty(namespaces)) or (not namespaces and not selector):
        found.append(
            ("VP-K8SAUTH-002", f"bound_service_account_namespaces={namespaces}: bind the service's namespace")
        )
    return found + token_ttls(inputs, limits)


def jwt_role(inputs: Mapping[str, Any], limits: Limits) -> list[RawFinding]:
    found: list[RawFinding] = []
    # OIDC roles check `aud` against the configured client ID by themselves; JWT roles only if told to.
    if field(inputs, "roleType") != "oidc" and not as_list(field(inputs, "boundAudiences")):
        found.append(("VP-JWT-001", "no bound_audiences: tokens minted for any audience are accepted"))
    claims = field(inputs, "boundClaims") or {}
    if not field(inputs, "boundSubject") and not claims:
        found.append(
            ("VP-JWT-002", "neither bound_subject nor bound_claims: every identity of the issuer logs in")
        )
    found += _wildcard_claims(
        claims, field(inputs, "boundClaimsType"), field(inputs, "disableBoundClaimsParsing")
    )
    return found + token_ttls(inputs, limits)


def _wildcard_claims(claims: Mapping[str, Any], claims_type: Any, no_parsing: Any) -> list[RawFinding]:
    found: list[RawFinding] = []
    is_glob = claims_type == "glob"
    for claim, raw in claims.items():
        values = as_list(raw)
        if isinstance(raw, str) and not truthy(no_parsing):
            # Vault splits comma-separated claim values unless disable_bound_claims_parsing is set.
            values = raw.split(",")
        stripped = [str(value).strip() for value in values]
        if not stripped or any(value == "" for value in stripped):
            found.append(("VP-JWT-003", f"bound claim {claim!r} has an empty value"))
        elif is_glob and any(value.startswith("*") for value in stripped):
            found.append(("VP-JWT-003", f"bound claim {claim!r}={raw!r} is a leading wildcard (glob)"))
    return found


def token_ttls(inputs: Mapping[str, Any], limits: Limits) -> list[RawFinding]:
    """The `token_*` fields every auth role shares."""
    values = {
        key: seconds(field(inputs, key))
        for key in ("tokenTtl", "tokenMaxTtl", "tokenExplicitMaxTtl", "tokenPeriod")
    }
    found: list[RawFinding] = []
    explicit = values["tokenExplicitMaxTtl"] or 0
    if (values["tokenPeriod"] or 0) > 0 and explicit <= 0:
        found.append(
            ("VP-TTL-001", "periodic tokens (token_period) without token_explicit_max_ttl renew forever")
        )
    elif (values["tokenMaxTtl"] or 0) <= 0 and explicit <= 0:
        found.append(
            ("VP-TTL-001", "no token_max_ttl or token_explicit_max_ttl: tokens default to the system max")
        )
    found += _above_cap(values, limits)
    ttl, max_ttl = values["tokenTtl"] or 0, values["tokenMaxTtl"] or 0
    if ttl > 0 and max_ttl > 0 and ttl > max_ttl:
        found.append(("VP-TTL-003", f"token_ttl {ttl:.0f}s is above token_max_ttl {max_ttl:.0f}s"))
    return found


def _above_cap(values: Mapping[str, float | None], limits: Limits) -> list[RawFinding]:
    return [
        ("VP-TTL-002", f"{key}={value:.0f}s is above the cap of {limits.max_ttl_seconds:.0f}s")
        for key, value in values.items()
        if value is not None and value > limits.max_ttl_seconds
    ]


def other_auth_role(inputs: Mapping[str, Any], limits: Limits) -> list[RawFinding]:
    return token_ttls(inputs, limits)


def token(inputs: Mapping[str, Any], limits: Limits) -> list[RawFinding]:
    values = {key: seconds(field(inputs, key)) for key in ("ttl", "explicitMaxTtl", "period")}
    found: list[RawFinding] = []
    if (values["period"] or 0) > 0 and (values["explicitMaxTtl"] or 0) <= 0:
        found.append(("VP-TTL-001", "periodic token without explicit_max_ttl renews forever"))
    elif (values["ttl"] or 0) <= 0 and (values["explicitMaxTtl"] or 0) <= 0:
        found.append(("VP-TTL-001", "token without ttl or explicit_max_ttl inherits the system max"))
    return found + _above_cap(values, limits)
