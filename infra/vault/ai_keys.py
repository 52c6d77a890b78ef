"""Static model-provider keys: each key's KV v2 metadata, declared from the catalog, and the read-only
CI identity of the overdue report.

The program never writes or reads a key's value (that would put it in state): it declares the metadata
of `<kv>/metadata/ai/providers/<provider>/<service>` only. Vault's metadata write replaces
`custom_metadata` as a whole, and `vaultctl keys rotate` records each rotation there too (with PATCH,
which merges), so the declaration is written only when the catalog changes (`disable_read`: a refresh
would see every recorded rotation as drift) and never deleted (deleting metadata destroys every
version of the key). `vaultctl keys status` compares the declared fields with Vault's.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_vault as vault

from infra.config import AiKey, Service, StackConfig
from infra.vault import acl
from infra.vault._opts import child

KEYS_PREFIX = "ai/providers"
AUDITOR_ROLE = acl.KEYS_AUDITOR_ROLE
# Custom metadata fields the Vault layer owns; `vaultctl keys rotate` owns the rotation record.
DECLARED_FIELDS = ("owner", "rotation_period", "ticket", "service", "provider")
MANAGED_BY = "vault-platform"


def key_path(provider: str, service: str) -> str:
    """The key's path inside the KV mount (`<kv>/data/<path>` for the value, `<kv>/metadata/<path>`)."""
    return f"{KEYS_PREFIX}/{provider}/{service}"


def format_period(seconds: int) -> str:
    """A duration as the stack config writes it (`90d`, `12h`, `45s`), parsed back by `keys status`."""
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def declared_metadata(service: Service, key: AiKey) -> dict[str, str]:
    """The custom metadata the catalog declares for one key (strings: Vault stores no other type)."""
    return {
        "owner": key.owner,
        "rotation_period": format_period(key.rotation_period),
        "ticket": key.ticket,
        "service": service.name,
        "provider": key.provider,
        "managed_by": MANAGED_BY,
    }


def metadata_body(cfg: StackConfig, service: Service, key: AiKey) -> dict[str, object]:
    """The body of the metadata write: check-and-set required (a rotation never blindly overwrites a
    concurrent one) and the declared custom metadata. No `max_versions`: the key keeps the mount's
    (kv.max_versions, so rollbacks have history), and the deployer may not set it (docs/facts.md)."""
    return {"cas_required": True, "custom_metadata": declared_metadata(service, key)}


def auditor_claims(cfg: StackConfig) -> dict[str, str]:
    """Bound claims of `keys-auditor`: this repository (by id), the deploy branch, the report workflow
    as it is on that branch, and its events. Exact strings; values within one claim are ORed."""
    d, k = cfg.deployer, cfg.ai_keys
    return {
        "repository_id": str(d.repository_id),  # GitHub sends ids as strings
        "repository_owner_id": str(d.repository_owner_id),
        "ref": d.ref,
        "event_name": ",".join(k.auditor_events),
        "job_workflow_ref": d.workflow_ref(k.auditor_workflow),
    }


def auditor_policies() -> list[str]:
    return [acl.AI_KEYS_AUDITOR, acl.TOKEN_SELF]


def declare_ai_keys(
    cfg: StackConfig,
    parent: pulumi.Resource,
    kv_mount: vault.Mount,
    kv_settings: vault.kv.SecretBackendV2,
    policies: dict[str, vault.Policy],
    jwt: vault.jwt.AuthBackend,
) -> list[vault.generic.Endpoint]:
    declared = []
    for service, key in cfg.provider_keys():
        path = key_path(key.provider, service.name)
        declared.append(
            vault.generic.Endpoint(
                f"ai-key-metadata-{key.provider}-{service.name}",
                path=pulumi.Output.concat(kv_mount.path, "/metadata/", path),
                data_json=json.dumps(metadata_body(cfg, service, key), sort_keys=True),
                disable_read=True,
                disable_delete=True,
                # A new KV v2 mount answers 400 ("Upgrading from non-versioned to versioned data") for a
                # moment; the settings write retries through it (util.RetryWrite), this one would not.
                opts=child(parent, kv_mount, kv_settings),
            )
        )
    token_policies = auditor_policies()
    vault.jwt.AuthBackendRole(
        f"auth-jwt-role-{AUDITOR_ROLE}",
        backend=jwt.path,
        role_name=AUDITOR_ROLE,
        role_type="jwt",
        bound_audiences=[cfg.deployer.oidc_audience()],
        bound_claims=auditor_claims(cfg),
        bound_claims_type="string",
        user_claim="sub",
        token_ttl=cfg.ai_keys.auditor_token_ttl,
        token_max_ttl=cfg.ai_keys.auditor_token_ttl,
        token_policies=token_policies,
        token_no_default_policy=True,
        opts=child(parent, jwt, *(policies[p] for p in token_policies)),
    )
    return declared
