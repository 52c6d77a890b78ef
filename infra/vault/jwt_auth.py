"""JWT auth for GitHub Actions OIDC: the two CI identities of this repository and the services' CI roles.

`deployer` (applies the layer) and `previewer` (reads it for PR previews and drift) are bound to claims a
branch cannot forge: the repository's and owner's numeric ids, the event, the workflow file GitHub ran
(`job_workflow_ref`), and for the deployer the branch and the environment. Both are written by
`vaultctl init` with an operator's token and adopted here, so their specs live in pure functions that
init renders too. The services' `ci-<service>` roles are CI-managed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_vault as vault

from infra.config import StackConfig
from infra.vault import acl
from infra.vault._opts import bootstrapped, child


@dataclass(frozen=True)
class JwtRole:
    """A JWT role as the program declares it (the provider's inputs, snake_case)."""

    name: str
    bound_audiences: list[str]
    # Claim -> allowed values, comma-joined the way the provider takes them (it splits on ",").
    bound_claims: dict[str, str]
    bound_claims_type: str
    user_claim: str
    token_ttl: int
    token_max_ttl: int
    token_policies: list[str]

    def api_body(self) -> dict[str, object]:
        """What `vaultctl init` writes: the fields the provider would send for these inputs."""
        return {
            "role_type": "jwt",
            "bound_audiences": self.bound_audiences,
            "bound_claims": {
                k: [v.strip() for v in value.split(",")] for k, value in self.bound_claims.items()
            },
            "bound_claims_type": self.bound_claims_type,
            "user_claim": self.user_claim,
            "token_ttl": self.token_ttl,
            "token_max_ttl": self.token_max_ttl,
            "token_policies": acl.tf_set_order(self.token_policies),
            "token_no_default_policy": True,
        }


def bound_claims(
    repository: str,
    refs: list[str],
    environments: list[str],
    events: Sequence[str] | None = None,
    repository_id: int | None = None,
) -> dict[str, str]:
    # Exact strings (bound_claims_type "string"), ANDed across claims; values within one claim are ORed.
    claims = {"repository": repository}
    if repository_id is not None:
        claims["repository_id"] = str(repository_id)  # GitHub sends ids as strings
    if refs:
        claims["ref"] = ",".join(refs)
    if environments:
        claims["environment"] = ",".join(environments)
    if events:
        claims["event_name"] = ",".join(events)
    return claims


def deployer_role(cfg: StackConfig) -> JwtRole:
    d = cfg.deployer
    return JwtRole(
        name=acl.DEPLOYER,
        bound_audiences=[d.oidc_audience()],
        bound_claims={
            # Ids, not names: a deleted or renamed repository's name can be registered by someone else.
            "repository_id": str(d.repository_id),
            "repository_owner_id": str(d.repository_owner_id),
            "ref": d.ref,
            "event_name": ",".join(d.events),
            # The deploy workflow file as it is on the deploy branch: a branch that edits the workflow
            # runs it from another ref and is refused.
            "job_workflow_ref": d.workflow_ref(),
            # The GitHub environment's protection rules (reviewers, branch rule) gate the token too.
            "environment": d.environment,
        },
        bound_claims_type="string",
        user_claim="sub",
        token_ttl=d.token_ttl,
        token_max_ttl=d.token_ttl,
        token_policies=[acl.DEPLOYER],
    )


def previewer_role(cfg: StackConfig) -> JwtRole:
    d, p = cfg.deployer, cfg.previewer
    return JwtRole(
        name=acl.PREVIEWER,
        bound_audiences=[d.oidc_audience()],
        bound_claims={
            "repository_id": str(d.repository_id),
            "repository_owner_id": str(d.repository_owner_id),
            "event_name": ",".join(p.events),
            # A pull request's job_workflow_ref is `<repo>/<file>@refs/pull/<N>/merge`: N is not known in
            # advance, so the ref after `@` is a glob (the only reason this role uses bound_claims_type
            # "glob"). The repository and the workflow file stay exact; the other claims carry no `*` and
            # so still match exactly. A PR may edit its own preview workflow: that is why this identity
            # is read-only.
            "job_workflow_ref": ",".join(
                f"{d.repository}/{workflow}@{p.ref or '*'}" for workflow in p.workflows
            ),
            # previewer.branch (prod): reviewed code only; a PR's token is refused (same as the GCP side).
            **({"ref": p.ref} if p.ref else {}),
        },
        bound_claims_type="glob",
        user_claim="sub",
        token_ttl=p.token_ttl,
        token_max_ttl=p.token_ttl,
        token_policies=[acl.PREVIEWER],
    )


def bootstrap_roles(cfg: StackConfig) -> list[JwtRole]:
    return [deployer_role(cfg), previewer_role(cfg)]


def role_path(cfg: StackConfig, name: str) -> str:
    """The role's API path, which is also the provider's id for it (the import id)."""
    return f"auth/{cfg.github_oidc.path}/role/{name}"


@dataclass(frozen=True)
class JwtIssuerConfig:
    """The JWT method's issuer config (the provider's inputs, snake_case); None: not set."""

    bound_issuer: str | None = None
    oidc_discovery_url: str | None = None
    jwt_validation_pubkeys: list[str] | None = None

    def api_body(self) -> dict[str, object]:
        """What `vaultctl init` writes: the fields the provider would send for these inputs."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


def backend_args(cfg: StackConfig) -> JwtIssuerConfig:
    """The JWT method's issuer config, as the program declares it and `vaultctl init` writes it."""
    gh = cfg.github_oidc
    if gh.oidc_discovery_url:
        return JwtIssuerConfig(gh.bound_issuer or None, oidc_discovery_url=gh.oidc_discovery_url)
    return JwtIssuerConfig(gh.bound_issuer or None, jwt_validation_pubkeys=gh.validation_pubkeys)


BACKEND_DESCRIPTION = "GitHub Actions OIDC"


def declare_jwt_auth(
    cfg: StackConfig, parent: pulumi.Resource, policies: dict[str, vault.Policy]
) -> vault.jwt.AuthBackend:
    gh = cfg.github_oidc
    issuer = backend_args(cfg)
    backend = vault.jwt.AuthBackend(
        "auth-jwt",
        type="jwt",
        path=gh.path,
        description=BACKEND_DESCRIPTION,
        bound_issuer=issuer.bound_issuer,
        oidc_discovery_url=issuer.oidc_discovery_url,
        jwt_validation_pubkeys=issuer.jwt_validation_pubkeys,
        opts=bootstrapped(cfg, gh.path, parent),
    )

    def role(spec: JwtRole, opts: pulumi.ResourceOptions) -> None:
        vault.jwt.AuthBackendRole(
            f"auth-jwt-role-{spec.name}",
            backend=backend.path,
            role_name=spec.name,
            role_type="jwt",
            bound_audiences=spec.bound_audiences,
            bound_claims=spec.bound_claims,
            bound_claims_type=spec.bound_claims_type,
            user_claim=spec.user_claim,
            token_ttl=spec.token_ttl,
            token_max_ttl=spec.token_max_ttl,
            token_policies=spec.token_policies,
            token_no_default_policy=True,
            opts=opts,
        )

    for name, token_policies in acl.ci_role_policies(cfg).items():
        service = next(s for s in cfg.services if f"{acl.CI_ROLE_PREFIX}{s.name}" == name)
        assert service.github is not None
        gh_id = service.github
        spec = JwtRole(
            name=name,
            bound_audiences=[gh.audience],
            bound_claims=bound_claims(
                gh_id.repository, gh_id.refs, gh_id.environments, gh_id.events, gh_id.repository_id
            ),
            bound_claims_type="string",
            # The alias the Vault layer pre-creates for the service's entity is named after the repository.
            user_claim="repository",
            token_ttl=min(service.token_ttl, gh.token_ttl),
            token_max_ttl=min(service.token_max_ttl, gh.token_max_ttl),
            token_policies=token_policies,
        )
        role(spec, child(parent, backend, *(policies[p] for p in token_policies)))
    for spec in bootstrap_roles(cfg):
        deps = (backend, *(policies[p] for p in spec.token_policies))
        role(spec, bootstrapped(cfg, role_path(cfg, spec.name), parent, *deps))
    return backend
