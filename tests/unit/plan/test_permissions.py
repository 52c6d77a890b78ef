"""Effective permissions per identity, from declared resources only: roles -> policies -> paths."""

from __future__ import annotations

from infra.plan.model import Snapshot
from infra.plan.permissions import edges, identities, mount_of, mounts, permission_diff
from tests.unit.plan.records import (
    AUTH,
    GROUP,
    JWT_AUTH,
    JWT_ROLE,
    KV_OWN,
    MOUNT,
    alias,
    entity,
    k8s_role,
    policy,
    rec,
    snap,
    urn,
)

K8S = rec(AUTH, "auth-kubernetes", {"type": "kubernetes", "path": "kubernetes"})
JWT = rec(JWT_AUTH, "auth-jwt", {"type": "jwt", "path": "jwt"})


def _world(*extra: dict) -> Snapshot:
    return snap(
        K8S,
        JWT,
        rec(MOUNT, "kv", {"path": "kv", "type": "kv-v2"}),
        policy("kv-own", KV_OWN),
        policy("token-self", 'path "auth/token/lookup-self" { capabilities = ["read"] }\n'),
        entity("svc-billing", service="billing"),
        alias("billing/billing-api", "svc-billing", K8S["urn"]),
        *extra,
    )


def test_templated_path_expands_with_the_entity_the_login_resolves_to() -> None:
    world = _world(k8s_role("billing", ["kv-own", "token-self"], "billing", "billing-api"))
    billing = identities(world)["kubernetes/billing"]
    assert billing.entities == ("svc-billing",)
    assert billing.grants == {
        "auth/token/lookup-self": frozenset({"read"}),
        "kv/data/apps/billing/*": frozenset({"read"}),
    }
    assert billing.sources["kv/data/apps/billing/*"] == ("kv-own",)


def test_template_stays_symbolic_without_a_declared_entity() -> None:
    # Another service account in the namespace: no alias for it, so no entity, so nothing to expand.
    world = _world(k8s_role("other", ["kv-own"], "billing", "other-sa"))
    other = identities(world)["kubernetes/other"]
    assert other.entities == ()
    assert set(other.grants) == {"kv/data/apps/{{identity.entity.metadata.service}}/*"}


def test_uid_aliases_cannot_be_matched_so_templates_stay_symbolic() -> None:
    role = k8s_role("billing", ["kv-own"], "billing", "billing-api", aliasNameSource="serviceaccount_uid")
    assert identities(_world(role))["kubernetes/billing"].entities == ()


def test_alias_on_another_mount_does_not_resolve() -> None:
    world = _world(
        rec(
            JWT_ROLE,
            "ci",
            {
                "backend": "jwt",
                "roleName": "ci",
                "userClaim": "repository",
                "boundClaims": {"repository": "billing/billing-api"},
                "tokenPolicies": ["kv-own"],
                "tokenNoDefaultPolicy": True,
            },
        )
    )
    # Same alias name as the Kubernetes alias, but on the JWT mount: a different login, no entity.
    assert identities(world)["jwt/ci"].entities == ()


def test_jwt_role_resolves_through_its_user_claim() -> None:
    world = _world(
        alias("acme/billing", "svc-billing", JWT["urn"]),
        rec(
            JWT_ROLE,
            "ci",
            {
                "backend": "jwt",
                "roleName": "ci-billing",
                "userClaim": "repository",
                "boundClaims": {"repository": "acme/billing", "ref": "refs/heads/main"},
                "tokenPolicies": ["kv-own"],
                "tokenNoDefaultPolicy": True,
            },
        ),
    )
    assert set(identities(world)["jwt/ci-billing"].grants) == {"kv/data/apps/billing/*"}


def test_default_policy_is_named_when_not_switched_off() -> None:
    role = k8s_role("billing", ["token-self"], "billing", "billing-api", tokenNoDefaultPolicy=False)
    billing = identities(_world(role))["kubernetes/billing"]
    assert "default" in billing.policies
    assert any("policy default: not declared" in note for note in billing.notes)


def test_deny_wins_over_grants_from_other_policies() -> None:
    world = _world(
        policy("wide", 'path "kv/data/*" { capabilities = ["read", "list"] }\n'),
        policy("deny", 'path "kv/data/*" { capabilities = ["deny"] }\n'),
        k8s_role("billing", ["wide", "deny"], "billing", "billing-api"),
    )
    assert identities(world)["kubernetes/billing"].grants["kv/data/*"] == frozenset({"deny"})


def test_group_and_entity_policies_reach_the_login() -> None:
    group = rec(
        GROUP,
        "group-auditors",
        {"name": "auditors", "policies": ["wide"], "memberEntityIds": ["entity-svc-billing-id"]},
        property_dependencies={
            "memberEntityIds": [urn("vault:identity/entity:Entity", "entity-svc-billing")]
        },
    )
    world = _world(
        policy("wide", 'path "kv/metadata/*" { capabilities = ["list"] }\n'),
        group,
        k8s_role("billing", ["token-self"], "billing", "billing-api"),
    )
    billing = identities(world)["kubernetes/billing"]
    assert "wide" in billing.policies
    assert billing.grants["kv/metadata/*"] == frozenset({"list"})


def test_unparsable_or_secret_policy_text_is_a_note_not_a_crash() -> None:
    world = _world(
        policy("broken", 'path "kv/*" { capabilities = ["reed"] }\n'),
        policy("hidden", "[secret]"),
        k8s_role("billing", ["broken", "hidden"], "billing", "billing-api"),
    )
    notes = identities(world)["kubernetes/billing"].notes
    assert any(n.startswith("policy broken: unparsable") for n in notes)
    assert any(n.startswith("policy hidden: text is not known") for n in notes)


def test_widening_a_template_shows_the_capability_for_each_identity_holding_it() -> None:
    roles = (
        entity("svc-ai", service="ai"),
        alias("ai/ai", "svc-ai", K8S["urn"]),
        k8s_role("billing", ["kv-own"], "billing", "billing-api"),
        k8s_role("ai", ["kv-own"], "ai", "ai"),
        k8s_role("snapshot", ["token-self"], "vault", "snapshot"),
    )
    before = identities(_world(*roles))
    wider = KV_OWN.replace('["read"]', '["read", "list"]')
    after = identities(
        Snapshot(
            tuple(r if r.name != "policy-kv-own" else _with_text(r, wider) for r in _world(*roles).resources)
        )
    )
    changes = permission_diff(before, after)
    assert [(c.key, c.status, dict(c.gained), dict(c.lost)) for c in changes] == [
        ("kubernetes/ai", "changed", {"kv/data/apps/ai/*": frozenset({"list"})}, {}),
        ("kubernetes/billing", "changed", {"kv/data/apps/billing/*": frozenset({"list"})}, {}),
    ]
    # The diagram marks the kv edge of both as changed, the others as the same.
    changed = {(e.identity, e.mount) for e in edges(before, after, ["kv"], ["kv"]) if e.status != "same"}
    assert changed == {("kubernetes/ai", "kv"), ("kubernetes/billing", "kv")}


def _with_text(resource, text: str):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    return replace(resource, inputs={**resource.inputs, "policy": text})


def test_added_and_removed_identities() -> None:
    before = identities(_world(k8s_role("billing", ["token-self"], "billing", "billing-api")))
    after = identities(_world(k8s_role("ai", ["token-self"], "ai", "ai")))
    statuses = {c.key: c.status for c in permission_diff(before, after)}
    assert statuses == {"kubernetes/ai": "added", "kubernetes/billing": "removed"}


def test_mounts_and_mount_of_a_path() -> None:
    world = _world()
    declared = mounts(world)
    assert declared == ["auth/jwt", "auth/kubernetes", "kv"]
    assert mount_of("kv/data/apps/x/*", declared) == "kv"
    assert mount_of("auth/kubernetes/role/x", declared) == "auth/kubernetes"
    assert mount_of("auth/token/lookup-self", declared) == "auth/token"
    assert mount_of("sys/policies/acl/*", declared) == "sys"
    assert mount_of("kvx/data", declared) == "kvx"  # a prefix of a name is not its mount


def test_shipped_local_stack_identities(declared) -> None:  # type: ignore[no-untyped-def]
    from infra.plan.emit import records

    found = identities(Snapshot.from_records(records(declared("local"), b"k")))
    assert set(found) == {
        "jwt/ci-ml-models-ci",
        "jwt/deployer",
        "jwt/keys-auditor",  # the overdue report (issue 17): provider keys' metadata only
        "jwt/previewer",
        "kubernetes/ai-gateway",
        "kubernetes/analytics",
        "kubernetes/billing",
        "kubernetes/snapshot",
        # People: the OIDC role, and the role as each mapped IdP group's members get it.
        "oidc/person",
        "oidc/person[vault-operators]",
        "oidc/person[vault-auditors]",
        "oidc/person[security-responders]",
    }
    assert "kv/data/apps/*" not in found["oidc/person"].grants
    assert found["oidc/person[vault-operators]"].grants["kv/data/apps/*"] == frozenset(
        {"create", "read", "update"}
    )
    assert "kv/data/apps/*" not in found["oidc/person[vault-auditors]"].grants
    assert found["kubernetes/billing"].grants["kv/data/apps/billing/*"] == frozenset(
        {"create", "read", "update"}
    )
    assert found["jwt/ci-ml-models-ci"].grants["kv/data/apps/ml-models-ci/*"] == frozenset({"read"})
    assert found["kubernetes/snapshot"].grants["sys/storage/raft/snapshot"] == frozenset({"read"})
    auditor_kv = {p: g for p, g in found["jwt/keys-auditor"].grants.items() if p.startswith("kv/")}
    assert set(auditor_kv.values()) == {frozenset({"list"}), frozenset({"read"})}
    assert all(p.startswith("kv/metadata/ai/providers/") for p in auditor_kv)
    # No identity keeps a symbolic path on the shipped stack: every templated grant resolves.
    assert not [p for i in found.values() for p in i.grants if "{{" in p]
