"""JWT auth for GitHub Actions OIDC: CI roles per service, and the deployer role that applies this layer."""

from __future__ import annotations

import pulumi
import pulumi_vault as vault

from infra.config import StackConfig
from infra.vault import acl
from infra.vault._opts import child


def bound_claims(repository: str, refs: list[str], environments: list[str]) -> dict[str, str]:
    # Exact strings (bound_claims_type "string"), ANDed across keys; a list within a key is comma-joined.
    claims = {"repository": repository}
    if refs:
        claims["ref"] = ",".join(refs)
    if environments:
        claims["environment"] = ",".join(environments)
    return claims


def declare_jwt_auth(
    cfg: StackConfig, parent: pulumi.Resource, policies: dict[str, vault.Policy]
) -> vault.jwt.AuthBackend:
    gh = cfg.github_oidc
    backend_args: dict[str, object] = {"bound_issuer": gh.bound_issuer} if gh.bound_issuer else {}
    if gh.oidc_discovery_url:
        backend_args["oidc_discovery_url"] = gh.oidc_discovery_url
    else:
        backend_args["jwt_validation_pubkeys"] = gh.validation_pubkeys
    backend = vault.jwt.AuthBackend(
        "auth-jwt",
        type="jwt",
        path=gh.path,
        description="GitHub Actions OIDC",
        opts=child(parent),
        **backend_args,
    )

    def role(name: str, claims: dict[str, str], token_policies: list[str], ttl: int, max_ttl: int) -> None:
        vault.jwt.AuthBackendRole(
            f"auth-jwt-role-{name}",
            backend=backend.path,
            role_name=name,
            role_type="jwt",
            bound_audiences=[gh.audience],
            bound_claims=claims,
            bound_claims_type="string",
            user_claim="repository",
            token_ttl=ttl,
            token_max_ttl=max_ttl,
            token_policies=token_policies,
            token_no_default_policy=True,
            opts=child(parent, backend, *(policies[p] for p in token_policies)),
        )

    for service in cfg.services:
        if service.github:
            gh_id = service.github
            role(
                f"ci-{service.name}",
                bound_claims(gh_id.repository, gh_id.refs, gh_id.environments),
                acl.service_token_policies(service),
                min(service.token_ttl, gh.token_ttl),
                min(service.token_max_ttl, gh.token_max_ttl),
            )
    deployer = cfg.deployer
    role(
        acl.DEPLOYER,
        bound_claims(deployer.repository, [], [deployer.environment]),
        [acl.DEPLOYER, acl.TOKEN_SELF],
        deployer.token_ttl,
        deployer.token_ttl,
    )
    return backend
