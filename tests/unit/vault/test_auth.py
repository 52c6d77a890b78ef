"""Auth roles bind exact identities, cap token TTLs and attach only generated policies."""

from __future__ import annotations

import pytest

from infra.config import parse_stack_config
from infra.harness import read_stack_config, run_program
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
def test_ci_roles_bind_audience_repository_event_and_ref_or_environment(declared, stack: str) -> None:
    cfg = parse_stack_config(read_stack_config(stack))
    roles = {
        r.inputs["roleName"]: r.inputs
        for r in of_type(declared(stack), JWT_ROLE)
        # people's OIDC role: test_human_auth.py; keys-auditor: test_ai_keys.py
        if r.inputs["backend"] == cfg.github_oidc.path and r.inputs["roleName"] != "keys-auditor"
    }
    assert set(roles) == {f"ci-{s.name}" for s in cfg.services if s.github} | {"deployer", "previewer"}
    for service in cfg.services:
        if not service.github:
            continue
        role = roles[f"ci-{service.name}"]
        assert role["boundAudiences"] == [cfg.github_oidc.audience]
        assert role["boundClaimsType"] == "string"
        claims = role["boundClaims"]
        assert claims["repository"] == service.github.repository
        assert {"ref", "environment"} & set(claims)
        # Bound by event too: the default keeps pull_request (unreviewed code) out.
        assert claims["event_name"] == ",".join(service.github.events) == "push"
        assert role["tokenTtl"] <= cfg.github_oidc.token_ttl
        assert role["tokenMaxTtl"] <= cfg.github_oidc.token_max_ttl


def test_ci_role_binds_repository_id_when_configured() -> None:
    from infra.vault.jwt_auth import bound_claims

    assert bound_claims("acme/x", ["refs/heads/main"], [], ["push"], 42) == {
        "repository": "acme/x",
        "repository_id": "42",
        "ref": "refs/heads/main",
        "event_name": "push",
    }
    assert "repository_id" not in bound_claims("acme/x", ["refs/heads/main"], [])


@pytest.mark.parametrize("stack", STACKS)
def test_deployer_is_bound_to_what_only_the_deploy_job_has(declared, stack: str) -> None:
    cfg = parse_stack_config(read_stack_config(stack))
    roles = {r.inputs["roleName"]: r.inputs for r in of_type(declared(stack), JWT_ROLE)}
    d = cfg.deployer
    deployer = roles["deployer"]
    # The deploy token must outlive the longest apply (tests/delivery check the job timeouts against it).
    assert deployer["tokenTtl"] == deployer["tokenMaxTtl"] == cfg.deployer.token_ttl >= 1800
    assert deployer["boundClaims"] == {
        "repository_id": str(d.repository_id),
        "repository_owner_id": str(d.repository_owner_id),
        "ref": "refs/heads/main",
        "event_name": "push,workflow_dispatch",
        "job_workflow_ref": f"{d.repository}/.github/workflows/deploy.yml@refs/heads/main",
        "environment": stack,
    }
    assert deployer["boundClaimsType"] == "string"  # no glob: every claim is exact
    assert deployer["boundAudiences"] == [f"vault-platform-{stack}"]  # one audience per environment
    assert deployer["tokenPolicies"] == ["deployer"] and deployer["tokenNoDefaultPolicy"] is True
    assert deployer["tokenMaxTtl"] == d.token_ttl


@pytest.mark.parametrize("stack", STACKS)
def test_previewer_is_read_only_and_bound_to_the_preview_workflows(declared, stack: str) -> None:
    cfg = parse_stack_config(read_stack_config(stack))
    roles = {r.inputs["roleName"]: r.inputs for r in of_type(declared(stack), JWT_ROLE)}
    d = cfg.deployer
    previewer = roles["previewer"]
    p = cfg.previewer
    assert previewer["boundClaimsType"] == "glob"
    assert previewer["boundClaims"] == {
        "repository_id": str(d.repository_id),
        "repository_owner_id": str(d.repository_owner_id),
        "event_name": ",".join(p.events),
        "job_workflow_ref": ",".join(f"{d.repository}/{w}@{p.ref or '*'}" for w in p.workflows),
        **({"ref": "refs/heads/main"} if stack == "prod" else {}),
    }
    # staging previews every PR live; prod only main's plan/drift jobs (PR code never decrypts prod)
    assert ("pull_request" in p.events) == (
        stack != "prod"
    ) and ".github/workflows/preview.yml" in p.workflows
    # The only glob is the ref after `@`: no claim value starts with one, none is only one.
    for value in ",".join(previewer["boundClaims"].values()).split(","):
        assert (
            not value.startswith("*")
            and value.count("*") <= 1
            and (not value.count("*") or value.endswith("@*"))
        )
    assert previewer["tokenPolicies"] == ["previewer"]
    assert previewer["boundAudiences"] == [f"vault-platform-{stack}"]


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


K8S_CONFIG = "vault:kubernetes/authBackendConfig:AuthBackendConfig"


@pytest.mark.parametrize("ca_pem", [None, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"])
def test_kubernetes_auth_config_sends_a_ca_only_when_configured(ca_pem: str | None) -> None:
    overrides = {"kubernetes_auth": {"host": "https://k8s.example:6443", "ca_pem": ca_pem}}
    config = of_type(run_program("prod", overrides=overrides), K8S_CONFIG)[0].inputs
    assert config["kubernetesHost"] == "https://k8s.example:6443"
    assert config["disableLocalCaJwt"] is False
    if ca_pem:
        assert config["kubernetesCaCert"] == ca_pem
    else:
        assert "kubernetesCaCert" not in config
