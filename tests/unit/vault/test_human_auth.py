"""People's login as the program declares it: OIDC method with a secret client secret, one role bound to the
mapped IdP groups, external groups with one human policy each, TOTP enforced on the OIDC mount only, and
the config checks that guard it (each shown firing and quiet)."""

from __future__ import annotations

from typing import Any

import hcl2
import pytest

from infra.config import ConfigError, parse_stack_config
from infra.harness import DeclaredResource, is_secret, read_stack_config, run_program, unwrap
from infra.plan import format_resource
from infra.vault import acl
from tests.conftest import of_type

GKE = ["prod", "staging"]
OIDC = "vault:jwt/authBackend:AuthBackend"
ROLE = "vault:jwt/authBackendRole:AuthBackendRole"


def _cfg(stack: str):
    return parse_stack_config(read_stack_config(stack))


def _by_name(resources: list[DeclaredResource], name: str) -> DeclaredResource:
    return next(r for r in resources if r.name == name)


@pytest.mark.parametrize("stack", [*GKE, "local"])
def test_oidc_method_with_a_secret_client_secret(declared, stack: str) -> None:
    cfg = _cfg(stack)
    backend = _by_name(declared(stack), "auth-oidc")
    assert backend.type == OIDC and backend.inputs["type"] == "oidc"
    assert backend.inputs["oidcDiscoveryUrl"] == cfg.human_auth.oidc.discovery_url
    assert is_secret(backend.inputs["oidcClientSecret"])
    assert "[secret]" in "\n".join(format_resource(backend))


def test_client_secret_never_printed_by_plan() -> None:
    marker = "marker-client-secret-value"  # pragma: allowlist secret
    resources = run_program("prod", {"human_auth": {"oidc": {"client_secret": marker}}})
    printed = "\n".join(line for r in resources for line in format_resource(r))
    assert marker not in printed
    assert unwrap(_by_name(resources, "auth-oidc").inputs["oidcClientSecret"]) == marker


@pytest.mark.parametrize("stack", GKE)
def test_person_role_admits_mapped_groups_only(declared, stack: str) -> None:
    cfg = _cfg(stack)
    human = cfg.human_auth
    role = _by_name(declared(stack), "auth-oidc-role-person").inputs
    assert role["roleType"] == "oidc" and role["userClaim"] == "sub"
    assert role["boundAudiences"] == [human.oidc.client_id]
    assert role["boundClaims"] == {"groups": ",".join(g.idp_group for g in human.groups)}
    assert role["allowedRedirectUris"] == [
        f"{cfg.vault.address}/ui/vault/auth/oidc/oidc/callback",
        "http://localhost:8250/oidc/callback",
    ]
    assert role["tokenPolicies"] == ["human-base"] and role["tokenNoDefaultPolicy"] is True
    assert role["tokenMaxTtl"] <= cfg.vault.max_token_ttl


@pytest.mark.parametrize("stack", GKE)
def test_each_idp_group_is_an_external_group_with_its_role_policy(declared, stack: str) -> None:
    cfg = _cfg(stack)
    resources = declared(stack)
    backend = _by_name(resources, "auth-oidc")
    for group in cfg.human_auth.groups:
        g = _by_name(resources, f"group-{group.name}")
        assert g.inputs["type"] == "external"
        # Its human policy; operators also rotate provider keys (issue 17: vaultctl keys rotate).
        assert g.inputs["policies"] == acl.human_role_policies(group.role)
        alias = _by_name(resources, f"group-alias-{group.name}")
        assert alias.inputs["name"] == group.idp_group
        assert backend.urn in alias.dependencies  # its mount accessor
        assert g.urn in alias.property_dependencies["canonicalId"]
    policies = {p for r in of_type(resources, "vault:identity/group:Group") for p in r.inputs["policies"]}
    assert not policies & {"root", "deployer", "break-glass"}


@pytest.mark.parametrize("stack", GKE)
def test_totp_is_enforced_on_the_oidc_mount_only(declared, stack: str) -> None:
    cfg = _cfg(stack)
    resources = declared(stack)
    totp = _by_name(resources, "mfa-totp").inputs
    assert totp["issuer"] == cfg.human_auth.mfa.issuer and totp["period"] == 30 and totp["digits"] == 6
    enforcement = _by_name(resources, "mfa-login-oidc")
    assert _by_name(resources, "auth-oidc").urn in enforcement.dependencies  # the OIDC mount's accessor
    assert _by_name(resources, "mfa-totp").urn in enforcement.dependencies  # the method's id
    for other in ("auth-kubernetes", "auth-jwt"):
        assert _by_name(resources, other).urn not in enforcement.dependencies


def _paths(text: str) -> dict[str, list[str]]:
    parsed = hcl2.loads(text)
    return {
        p.strip('"'): [c.strip('"') for c in body["capabilities"]]
        for block in parsed.get("path", [])
        for p, body in block.items()
    }


def test_human_policies_least_privilege() -> None:
    cfg = _cfg("prod")
    policies = {p.name: _paths(p.text) for p in acl.human_policies(cfg)}
    auditor, operator, responder = (
        policies[f"human-{r}"] for r in ("auditor", "operator", "security-responder")
    )
    # The auditor reads configuration and metadata, never a secret value, and writes nothing.
    assert not [p for p in auditor if "/data/" in p or "creds" in p]
    assert all(set(caps) <= {"read", "list"} for caps in auditor.values())
    # Operators write new versions only: no delete, destroy or metadata writes; no sys/, auth/, policies.
    assert all("delete" not in caps for caps in operator.values())
    assert not [p for p in operator if p.startswith(("sys/", "auth/")) or "destroy" in p]
    # Responders revoke; they read no secret.
    assert not [p for p in responder if p.startswith("kv/")]
    assert "sys/leases/revoke-prefix/database/creds/readwrite" in responder
    assert not [p for p in responder if p.endswith("*") and "revoke-prefix" in p]


def _human(**oidc: Any) -> dict[str, Any]:
    base = read_stack_config("prod")["human_auth"]
    return {**base, "oidc": {**base["oidc"], **oidc}}


BAD = [
    ("http-issuer", {"human_auth": _human(discovery_url="http://idp.example")}, "must be an https URL"),
    ("ttl-above-cap", {"human_auth": _human(token_max_ttl="48h")}, "above vault.max_token_ttl"),
    (
        "ttl-order",
        {"human_auth": _human(token_ttl="9h")},
        "human_auth.oidc.token_ttl (32400s) must not exceed",
    ),
    ("path-taken", {"human_auth": _human(path="jwt")}, "human_auth.oidc.path='jwt': already used"),
    (
        "wildcard-group",
        {
            "human_auth": {
                **read_stack_config("prod")["human_auth"],
                "groups": [{"name": "x", "idp_group": "*", "role": "operator"}],
            }
        },
        "must be the IdP group name exactly",
    ),
    (
        "break-glass-role",
        {
            "human_auth": {
                **read_stack_config("prod")["human_auth"],
                "groups": [{"name": "x", "idp_group": "a", "role": "root"}],
            }
        },
        "human_auth.groups[x].role='root'",
    ),
    (
        "duplicate-idp-group",
        {
            "human_auth": {
                **read_stack_config("prod")["human_auth"],
                "groups": [
                    {"name": "a", "idp_group": "g", "role": "operator"},
                    {"name": "b", "idp_group": "g", "role": "auditor"},
                ],
            }
        },
        "duplicate idp_group ['g']",
    ),
    ("typo", {"human_auth": _human(client_secert="x")}, "human_auth.oidc.client_secert: unknown key"),
    (
        "two-digit",
        {"human_auth": {**read_stack_config("prod")["human_auth"], "mfa": {"issuer": "x", "digits": 4}}},
        "human_auth.mfa.digits=4",
    ),
]


@pytest.mark.parametrize(("case", "overrides", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_human_auth_config_is_rejected(case: str, overrides: dict, expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_stack_config(read_stack_config("prod", overrides))
    assert expected in str(error.value)
    assert "PLACEHOLDER" not in str(error.value)


def test_client_secret_never_in_errors() -> None:
    raw = read_stack_config("prod")
    raw["human_auth"]["oidc"]["client_secret"] = ["marker-thisMustNotLeak"]
    with pytest.raises(ConfigError) as error:
        parse_stack_config(raw)
    assert "thisMustNotLeak" not in str(error.value)


def test_without_human_auth_nothing_is_declared() -> None:
    raw = read_stack_config("prod")
    raw.pop("human_auth")
    cfg = parse_stack_config(raw)
    assert acl.human_policies(cfg) == []
