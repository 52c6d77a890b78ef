"""Auth roles bind exact identities, cap token TTLs and attach only generated policies."""

from __future__ import annotations

import pytest

from infra.config import parse_stack_config
from infra.harness import read_stack_config
from tests.conftest import STACKS, of_type

K8S_ROLE = "vault:kubernetes/authBackendRole:AuthBackendRole"
JWT_ROLE = "vault:jwt/authBackendRole:AuthBackendRole"
JWT = "vault:jwt/authBackend:AuthBackend"


@pytest.mark.parametrize("stack", STACKS)
def test_kubernetes_roles_bind_exactly_one_account_and_namespace(declared, stack: str) -> None:
    cfg = parse_stack_config(read_stack_config(stack))
    roles = {r.inputs["roleName"]: r.inputs for r in of_type(declared(stack), K8S_ROLE)}
    expected = {s.name for s in cfg.services if s.kubernetes} | {"snapshot"}
    assert set(roles) == expected
    for service in cfg.services:
        if not service.kubernetes:
            continue
        role = roles[service.name]
        assert role["boundServiceAccountNames"] == [service.kubernetes.service_account]
        assert role["boundServiceAccountNamespaces"] == [service.kubernetes.namespace]
        assert role["tokenMaxTtl"] == service.token_max_ttl <= cfg.vault.max_token_ttl
        assert role["tokenNoDefaultPolicy"] is True
        assert f"svc-{service.name}" in role["tokenPolicies"]


def test_snapshot_role_reads_snapshots_only(declared) -> None:
    role = next(r.inputs for r in of_type(declared("prod"), K8S_ROLE) if r.inputs["roleName"] == "snapshot")
    assert role["boundServiceAccountNames"] == ["vault-snapshot"]
    assert role["boundServiceAccountNamespaces"] == ["vault"]
    assert sorted(role["tokenPolicies"]) == ["snapshot", "token-self"]
    assert role["tokenMaxTtl"] == 900


@pytest.mark.parametrize("stack", STACKS)
def test_jwt_roles_bind_audience_repository_and_ref_or_environment(declared, stack: str) -> None:
    cfg = parse_stack_config(read_stack_config(stack))
    # keys-auditor (the overdue report's identity) has its own tests: tests/unit/vault/test_ai_keys.py.
    roles = {
        r.inputs["roleName"]: r.inputs
        for r in of_type(declared(stack), JWT_ROLE)
        if r.inputs["roleName"] != "keys-auditor"
    }
    assert set(roles) == {f"ci-{s.name}" for s in cfg.services if s.github} | {"deployer"}
    for name, role in roles.items():
        assert role["boundAudiences"] == [cfg.github_oidc.audience], name
        assert role["boundClaimsType"] == "string"
        assert role["boundClaims"]["repository"] and ({"ref", "environment"} & set(role["boundClaims"])), name
        if name == "deployer":
            continue  # its own lifetime, checked below
        assert role["tokenTtl"] <= cfg.github_oidc.token_ttl, name
        assert role["tokenMaxTtl"] <= cfg.github_oidc.token_max_ttl, name
    deployer = roles["deployer"]
    # The deploy token must outlive the longest apply (tests/delivery check the job timeouts against it).
    assert deployer["tokenTtl"] == deployer["tokenMaxTtl"] == cfg.deployer.token_ttl >= 1800
    assert deployer["boundClaims"] == {
        "repository": cfg.deployer.repository,
        "environment": cfg.deployer.environment,
    }
    assert sorted(deployer["tokenPolicies"]) == ["deployer", "token-self"]


def test_github_discovery_in_cloud_stacks_and_local_keys_locally(declared) -> None:
    prod = of_type(declared("prod"), JWT)[0].inputs
    assert prod["oidcDiscoveryUrl"] == "https://token.actions.githubusercontent.com"
    assert "jwtValidationPubkeys" not in prod
    local = of_type(declared("local"), JWT)[0].inputs
    assert "oidcDiscoveryUrl" not in local and "jwtValidationPubkeys" in local


def test_every_service_identity_has_an_entity_with_service_metadata(declared) -> None:
    resources = declared("prod")
    entities = {r.inputs["name"]: r.inputs for r in of_type(resources, "vault:identity/entity:Entity")}
    aliases = {r.inputs["name"] for r in of_type(resources, "vault:identity/entityAlias:EntityAlias")}
    cfg = parse_stack_config(read_stack_config("prod"))
    for service in cfg.services:
        assert entities[f"svc-{service.name}"]["metadata"] == {"service": service.name}
        if service.kubernetes:
            assert f"{service.kubernetes.namespace}/{service.kubernetes.service_account}" in aliases
        if service.github:
            assert service.github.repository in aliases
