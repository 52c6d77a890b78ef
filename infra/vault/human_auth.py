"""People: OIDC login through the organisation's IdP, IdP groups as external identity groups carrying the
human policies, and TOTP login MFA enforced on the mount.

- One role (`person`) whose `bound_claims` admit only members of a mapped IdP group: someone the IdP
  knows but no group maps gets no token at all, not a token with nothing on it.
- `user_claim: sub` (immutable at the IdP), `groups_claim` from config; redirect URIs for the UI
  (`<vault.address>/ui/vault/auth/<path>/oidc/callback`) and the CLI (`http://localhost:8250/oidc/callback`,
  what `vault login -method=oidc` listens on).
- Each mapped IdP group is a Vault *external* group (`human-<name>`) whose alias on the OIDC mount's
  accessor is the IdP group's name: membership follows the groups claim at each login, so removing a
  person from the IdP group removes their access at their next login; the group's only policy is its
  role's. Break-glass (root) is reachable through no group.
- TOTP (RFC 6238) login MFA on the OIDC mount only: CI and workloads (JWT, Kubernetes) are unaffected.
"""

from __future__ import annotations

import pulumi
import pulumi_vault as vault

from infra.config import StackConfig
from infra.vault import acl
from infra.vault._opts import child, secret

ROLE = "person"
CLI_REDIRECT = "http://localhost:8250/oidc/callback"


def redirect_uris(cfg: StackConfig) -> list[str]:
    assert cfg.human_auth is not None
    ui = f"{cfg.vault.address.rstrip('/')}/ui/vault/auth/{cfg.human_auth.oidc.path}/oidc/callback"
    return [ui, CLI_REDIRECT]


def group_name(name: str) -> str:
    return f"human-{name}"


def enforcement_name(cfg: StackConfig) -> str:
    assert cfg.human_auth is not None
    return f"{cfg.human_auth.oidc.path}-totp"


def declare_human_auth(
    cfg: StackConfig, parent: pulumi.Resource, policies: dict[str, vault.Policy]
) -> vault.jwt.AuthBackend | None:
    human = cfg.human_auth
    if human is None:
        return None
    oidc = human.oidc
    backend = vault.jwt.AuthBackend(
        "auth-oidc",
        type="oidc",
        path=oidc.path,
        description="people: the organisation's IdP (OIDC), TOTP required",
        oidc_discovery_url=oidc.discovery_url,
        oidc_discovery_ca_pem=oidc.discovery_ca_pem,
        oidc_client_id=oidc.client_id,
        oidc_client_secret=secret(oidc.client_secret.get_secret_value()),
        default_role=ROLE,
        opts=child(parent),
    )
    vault.jwt.AuthBackendRole(
        f"auth-oidc-role-{ROLE}",
        backend=backend.path,
        role_name=ROLE,
        role_type="oidc",
        user_claim=oidc.user_claim,
        groups_claim=oidc.groups_claim,
        oidc_scopes=oidc.scopes,
        bound_audiences=[oidc.client_id],
        # Only members of a mapped group log in at all (the claim holds a list: any match admits).
        bound_claims={oidc.groups_claim: ",".join(g.idp_group for g in human.groups)},
        allowed_redirect_uris=redirect_uris(cfg),
        token_ttl=oidc.token_ttl,
        token_max_ttl=oidc.token_max_ttl,
        token_policies=[acl.HUMAN_BASE],
        token_no_default_policy=True,
        opts=child(parent, backend, policies[acl.HUMAN_BASE]),
    )
    for group in human.groups:
        group_policies = acl.human_role_policies(group.role)
        vault_group = vault.identity.Group(
            f"group-{group.name}",
            name=group_name(group.name),
            type="external",
            policies=group_policies,
            metadata={"role": group.role, "idp_group": group.idp_group},
            opts=child(parent, *(policies[p] for p in group_policies)),
        )
        vault.identity.GroupAlias(
            f"group-alias-{group.name}",
            name=group.idp_group,
            mount_accessor=backend.accessor,
            canonical_id=vault_group.id,
            opts=child(parent, vault_group, backend),
        )
    mfa = human.mfa
    totp = vault.identity.MfaTotp(
        "mfa-totp",
        issuer=mfa.issuer,
        period=mfa.period,
        digits=mfa.digits,
        algorithm=mfa.algorithm,
        skew=mfa.skew,
        key_size=mfa.key_size,
        max_validation_attempts=mfa.max_validation_attempts,
        opts=child(parent),
    )
    vault.identity.MfaLoginEnforcement(
        "mfa-login-oidc",
        name=enforcement_name(cfg),
        mfa_method_ids=[totp.method_id],
        auth_method_accessors=[backend.accessor],
        opts=child(parent, totp, backend),
    )
    return backend
