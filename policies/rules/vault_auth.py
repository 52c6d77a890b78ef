"""Rules over Vault auth roles declared as resources: who may log in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.rules.limits import Limits
from policies.rules.registry import resource_rule
from policies.rules.values import as_list, field, truthy

KUBERNETES_ROLE = "vault:kubernetes/authBackendRole:AuthBackendRole"
JWT_ROLE = "vault:jwt/authBackendRole:AuthBackendRole"
APPROLE_ROLE = "vault:appRole/authBackendRole:AuthBackendRole"
TOKEN_ROLE = "vault:tokenauth/authBackendRole:AuthBackendRole"  # noqa: S105 - a type token
TOKEN = "vault:index/token:Token"  # noqa: S105 - a type token
AUTH_ROLES = (KUBERNETES_ROLE, JWT_ROLE, APPROLE_ROLE, TOKEN_ROLE)

_K8S_AUTH_API = "https://developer.hashicorp.com/vault/api-docs/auth/kubernetes"
_JWT_AUTH_API = "https://developer.hashicorp.com/vault/api-docs/auth/jwt"
_GITHUB_OIDC = (
    "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/"
    "about-security-hardening-with-openid-connect"
)


def _wildcard_or_empty(values: list[Any]) -> bool:
    cleaned = [str(value).strip() for value in values]
    return not cleaned or any(value == "" or value.startswith("*") for value in cleaned)


@resource_rule(
    "VP-K8SAUTH-001",
    types=(KUBERNETES_ROLE,),
    title="Kubernetes auth role binding `*` or no service account names",
    why="Any service account in the bound namespaces logs in with the role's policies.",
    source=_K8S_AUTH_API + "#bound_service_account_names",
)
def kubernetes_names(_type: str, inputs: Mapping[str, Any], _limits: Limits) -> list[str]:
    names = as_list(field(inputs, "boundServiceAccountNames"))
    if _wildcard_or_empty(names):
        return [f"bound_service_account_names={names}: bind the service's own account"]
    return []


@resource_rule(
    "VP-K8SAUTH-002",
    types=(KUBERNETES_ROLE,),
    title="Kubernetes auth role binding `*` or no namespaces (and no namespace selector)",
    why="A service account with the right name in any namespace, including one an attacker creates, logs in.",
    source=_K8S_AUTH_API + "#bound_service_account_namespaces",
)
def kubernetes_namespaces(_type: str, inputs: Mapping[str, Any], _limits: Limits) -> list[str]:
    namespaces = as_list(field(inputs, "boundServiceAccountNamespaces"))
    selector = field(inputs, "boundServiceAccountNamespaceSelector")
    if (namespaces and _wildcard_or_empty(namespaces)) or (not namespaces and not selector):
        return [f"bound_service_account_namespaces={namespaces}: bind the service's namespace"]
    return []


@resource_rule(
    "VP-JWT-001",
    types=(JWT_ROLE,),
    title="JWT role without bound_audiences",
    why="Without an audience check a token minted for any other relying party of the same issuer is accepted.",
    source=_JWT_AUTH_API + "#bound_audiences; " + _GITHUB_OIDC,
)
def jwt_audience(_type: str, inputs: Mapping[str, Any], _limits: Limits) -> list[str]:
    # OIDC roles check `aud` against the configured client ID by themselves; JWT roles only if told to.
    if field(inputs, "roleType") != "oidc" and not as_list(field(inputs, "boundAudiences")):
        return ["no bound_audiences: tokens minted for any audience are accepted"]
    return []


@resource_rule(
    "VP-JWT-002",
    types=(JWT_ROLE,),
    title="JWT/OIDC role without bound_subject or bound_claims",
    why="Then every identity the issuer vouches for logs in (for GitHub: every repository on github.com).",
    source=_JWT_AUTH_API + "#bound_claims; " + _GITHUB_OIDC,
)
def jwt_unbound(_type: str, inputs: Mapping[str, Any], _limits: Limits) -> list[str]:
    if not field(inputs, "boundSubject") and not (field(inputs, "boundClaims") or {}):
        return ["neither bound_subject nor bound_claims: every identity of the issuer logs in"]
    return []


@resource_rule(
    "VP-JWT-003",
    types=(JWT_ROLE,),
    title="JWT role with a wildcard bound claim (glob value that is, or starts with, `*`) or an empty one",
    why="A leading wildcard matches every value of the claim, undoing the binding.",
    source=_JWT_AUTH_API + "#bound_claims_type",
)
def jwt_wildcard_claims(_type: str, inputs: Mapping[str, Any], _limits: Limits) -> list[str]:
    claims = field(inputs, "boundClaims") or {}
    is_glob = field(inputs, "boundClaimsType") == "glob"
    no_parsing = field(inputs, "disableBoundClaimsParsing")
    found: list[str] = []
    for claim, raw in claims.items():
        values = as_list(raw)
        if isinstance(raw, str) and not truthy(no_parsing):
            # Vault splits comma-separated claim values unless disable_bound_claims_parsing is set.
            values = raw.split(",")
        stripped = [str(value).strip() for value in values]
        if not stripped or any(value == "" for value in stripped):
            found.append(f"bound claim {claim!r} has an empty value")
        elif is_glob and any(value.startswith("*") for value in stripped):
            found.append(f"bound claim {claim!r}={raw!r} is a leading wildcard (glob)")
    return found
