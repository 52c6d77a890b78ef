"""The two CI identities' policies, read with Vault's path precedence: what each can and cannot do.

The deployer applies the layer and cannot make itself (or anyone) root; the previewer reads and cannot
write. The real server agrees (tests/integration/test_escalation.py, test_previewer.py); these checks
run offline on every stack, including the Vault-only parts (audit, AWS) OpenBao cannot show.
"""

from __future__ import annotations

from typing import Any

import pytest

from infra.config import StackConfig, parse_stack_config
from infra.harness import read_stack_config
from infra.vault import acl
from tests.conftest import STACKS
from tests.unit.vault.acl_match import blocks, capabilities, deciding_block

WRITE = {"create", "update", "delete", "patch", "sudo"}


def _cfg(stack: str) -> StackConfig:
    return parse_stack_config(read_stack_config(stack))


def _deployer(stack: str) -> dict[str, dict[str, Any]]:
    return blocks(acl.deployer_policy(_cfg(stack)).text)


def _previewer(stack: str) -> dict[str, dict[str, Any]]:
    return blocks(acl.previewer_policy(_cfg(stack)).text)


def _params(block: dict[str, Any], key: str) -> dict[str, list[Any]]:
    found = block.get(key) or {}
    return found[0] if isinstance(found, list) else found


# Each a route to root (or to everyone's secrets) a config applier must not have (issue 12).
ESCALATIONS = [
    "sys/policies/acl/default",
    "sys/policies/acl/root",
    "sys/policies/acl/deployer",
    "sys/policies/acl/previewer",
    "sys/policy/deployer",
    "auth/token/create",
    "auth/token/create-orphan",
    "auth/token/roles/any",
    "sys/raw/core/keyring",
    "sys/seal",
    "sys/generate-root/attempt",
    "sys/rekey/init",
    "sys/audit/socket",
    "sys/audit-hash/file",
    "sys/auth/userpass",
    "sys/auth/jwt",
    "sys/auth/jwt/tune",
    "sys/mounts/auth/jwt/tune",
    "sys/mounts/evil",
    "auth/jwt/config",
    "auth/jwt/role/deployer",
    "auth/jwt/role/previewer",
    "auth/jwt/role/admin",
    "identity/group",
    "identity/group/name/admins",
    "identity/entity/name/operator",
    "identity/oidc/key/x",
    "transit/keys/billing-pii/trim",
    "transit/keys/billing-pii/rotate",
    "transit/export/encryption-key/billing-pii",
    "transit/backup/billing-pii",
    "database/config/evil",
    "database/creds/readwrite",
    "database/rotate-role/x",
    "kv/data/apps/billing/config",
    "kv/metadata/apps/billing/config",
    "sys/leases/revoke-force/x",
    "sys/storage/raft/snapshot",
]


# Writable with human_auth, but only with parameters pinned to generated names (test below).
PINNED_PEOPLE_WRITES = {"identity/group"}


@pytest.mark.parametrize("stack", STACKS)
def test_deployer_cannot_reach_any_escalation_path(stack: str) -> None:
    policy = _deployer(stack)
    pinned = PINNED_PEOPLE_WRITES if _cfg(stack).human_auth else set()
    granted = {path: sorted(capabilities(policy, path) & WRITE) for path in ESCALATIONS if path not in pinned}
    assert {path: caps for path, caps in granted.items() if caps} == {}
    for extra in ("identity/mfa/method/totp/admin-generate", "identity/mfa/method/totp/admin-destroy"):
        assert capabilities(policy, extra) == {"deny"}, extra  # enrolment is people's, never CI's


@pytest.mark.parametrize("legacy_lists", [True, False], ids=["openbao-lists", "vault-1.21-lists"])
@pytest.mark.parametrize("stack", STACKS)
def test_deployer_people_writes_carry_only_generated_human_names(stack: str, legacy_lists: bool) -> None:
    from infra.vault.human_auth import ROLE, group_name
    from tests.unit.vault.fake_vault import FakeVault

    cfg = _cfg(stack)
    assert cfg.human_auth is not None
    fake = FakeVault(version="2.7.2", policies={"t": _deployer(stack)}, legacy_lists=legacy_lists)
    group = cfg.human_auth.groups[0]
    good = {
        "type": "external",
        "name": group_name(group.name),
        # The group's exact list, in the order the provider sends a set (operators: + ai-keys-rotator).
        "policies": acl.tf_set_order(acl.human_role_policies(group.role)),
        "metadata": {"role": group.role},
    }
    assert fake.allowed("t", "PUT", "identity/group", good) is None
    bad = {
        "deployer-policy": {**good, "policies": ["deployer"]},
        "root-policy": {**good, "policies": ["root"]},
        "smuggled-policy": {**good, "policies": [acl.human_policy_name(group.role), "deployer"]},
        "other-name": {**good, "name": "admins"},
        "internal-with-members": {**good, "type": "internal", "member_entity_ids": ["x"]},
    }
    for case, body in bad.items():
        assert fake.allowed("t", "PUT", "identity/group", body) is not None, case
        assert fake.allowed(
            "t", "PUT", "identity/group/id/x", {k: v for k, v in body.items() if k != "type"}
        ), case
    oidc = cfg.human_auth.oidc
    config = {
        "oidc_discovery_url": oidc.discovery_url,
        "oidc_client_id": oidc.client_id,
        "default_role": ROLE,
    }
    assert fake.allowed("t", "PUT", f"auth/{oidc.path}/config", config) is None
    for key, value in (
        ("oidc_discovery_url", "https://evil.example"),
        ("oidc_client_id", "evil"),
        ("bound_issuer", "x"),
    ):
        assert fake.allowed("t", "PUT", f"auth/{oidc.path}/config", {**config, key: value}), key
    role_path = f"auth/{oidc.path}/role/{ROLE}"
    assert (
        fake.allowed("t", "PUT", role_path, {"token_policies": [acl.HUMAN_BASE], "role_type": "oidc"}) is None
    )
    assert fake.allowed("t", "PUT", role_path, {"token_policies": ["deployer"], "role_type": "oidc"})
    assert fake.allowed("t", "PUT", f"auth/{oidc.path}/role/admin", {"token_policies": [acl.HUMAN_BASE]})
    method = {"method_id": "m", "entity_id": "e"}
    assert fake.allowed("t", "PUT", "identity/mfa/method/totp/admin-generate", method)


def test_escalation_probe_fires_on_the_old_deployer_grants() -> None:
    """The probe above is not vacuous: last release's deployer blocks reach several of those paths."""
    old = blocks(
        'path "sys/policies/acl/*" { capabilities = ["create", "update"] }\n'
        'path "transit/keys/*" { capabilities = ["create", "read", "update"] }\n'
        'path "sys/audit/*" { capabilities = ["create", "update", "sudo"] }\n'
        'path "auth/jwt/config" { capabilities = ["create", "update"] }\n'
    )
    reached = {path for path in ESCALATIONS if capabilities(old, path) & WRITE}
    assert {
        "sys/policies/acl/default",
        "sys/policies/acl/deployer",
        "transit/keys/billing-pii/trim",
        "sys/audit/socket",
        "auth/jwt/config",
    } <= reached


@pytest.mark.parametrize("stack", STACKS)
def test_deployer_writes_only_generated_policy_names(stack: str) -> None:
    cfg = _cfg(stack)
    policy = _deployer(stack)
    for name in acl.generated_policy_names(cfg):
        assert {"create", "update"} <= capabilities(policy, f"sys/policies/acl/{name}"), name
    for name in acl.BOOTSTRAP_POLICIES:
        assert capabilities(policy, f"sys/policies/acl/{name}") == {"read"}, name  # refresh only
    writable = [
        p for p, b in policy.items() if p.startswith("sys/policies/") and set(b["capabilities"]) & WRITE
    ]
    # A prefix grant is only ever `svc-*`: no other generated or foreign name starts with it.
    names = (*acl.shared_policy_names(), *acl.ai_key_policy_names(cfg), *acl.human_policy_names(cfg), "svc-*")
    assert all(p.removeprefix("sys/policies/acl/") in names for p in writable)
    assert not any(name.startswith("svc-") for name in (*acl.shared_policy_names(), *acl.BOOTSTRAP_POLICIES))


@pytest.mark.parametrize("stack", STACKS)
def test_roles_the_deployer_writes_carry_only_generated_policies(stack: str) -> None:
    cfg = _cfg(stack)
    policy = _deployer(stack)
    generated = set(acl.generated_policy_names(cfg))
    for role_path, roles in (
        (f"auth/{cfg.kubernetes_auth.path}/role/x", acl.kubernetes_role_policies(cfg)),
        (f"auth/{cfg.github_oidc.path}/role/ci-x", acl.ci_role_policies(cfg)),
    ):
        found = deciding_block(policy, role_path)
        assert found is not None, role_path
        allowed = _params(found[1], "allowed_parameters")["token_policies"]
        names = [v for v in allowed if isinstance(v, str)]
        lists = [v for v in allowed if isinstance(v, list)]
        # Exact names only: a glob would also match a comma-joined string ("svc-a,deployer").
        assert names and all("*" not in n and "," not in n for n in names)
        assert set(names) <= generated and not set(names) & {"deployer", "previewer", "default", "root"}
        assert sorted(map(sorted, lists)) == sorted(sorted(p) for p in {tuple(v) for v in roles.values()})
        assert all(lst == acl.tf_set_order(lst) for lst in lists)  # the order the provider sends


def test_tf_set_order_is_the_terraform_sdks() -> None:
    # helper/schema: Set.List() sorts by the decimal string of each element's CRC-32 (HashString).
    # crc32: svc-billing 2177051123, token-self 2589835182, kv-own-read 35878893; as text "35..." sorts last.
    assert acl.tf_set_order(["kv-own-read", "token-self", "svc-billing"]) == [
        "svc-billing",
        "token-self",
        "kv-own-read",
    ]


@pytest.mark.parametrize("stack", STACKS)
def test_entity_writes_cannot_carry_policies(stack: str) -> None:
    policy = _deployer(stack)
    for path in (
        "identity/entity",
        "identity/entity/id/0f3c",
        "identity/entity-alias",
        "identity/entity-alias/id/1",
    ):
        found = deciding_block(policy, path)
        assert found is not None, path
        allowed = _params(found[1], "allowed_parameters")
        assert allowed and "policies" not in allowed and "*" not in allowed, path
    assert _params(deciding_block(policy, "identity/entity")[1], "allowed_parameters")["name"] == ["svc-*"]


@pytest.mark.parametrize("stack", STACKS)
def test_auth_config_and_database_connection_are_pinned_to_the_stack_config(stack: str) -> None:
    cfg = _cfg(stack)
    policy = _deployer(stack)
    k8s = _params(policy[f"auth/{cfg.kubernetes_auth.path}/config"], "allowed_parameters")
    assert k8s["kubernetes_host"] == [cfg.kubernetes_auth.host]
    assert "pem_keys" not in k8s and "token_reviewer_jwt" not in k8s and "*" not in k8s
    assert capabilities(policy, f"auth/{cfg.github_oidc.path}/config") == {"read"}
    if cfg.database:
        from infra.vault.database import connection_url

        conn = _params(policy[f"{cfg.database.path}/config/{cfg.database.connection}"], "allowed_parameters")
        assert conn["connection_url"] == [connection_url(cfg.database)]
        assert conn["username"] == [cfg.database.username] and "*" not in conn


@pytest.mark.parametrize("stack", STACKS)
def test_mount_tunes_cannot_set_audit_non_hmac_keys(stack: str) -> None:
    policy = _deployer(stack)
    tunes = [b for p, b in policy.items() if p.endswith("/tune") and "update" in b["capabilities"]]
    assert tunes
    for block in tunes:
        allowed = _params(block, "allowed_parameters")
        assert allowed and "*" not in allowed
        # Only the Kubernetes login's role name may be kept in clear (the failed-login alarm's label),
        # pinned to exactly that list; response keys only ever empty.
        clear = acl.KUBERNETES_AUDIT_CLEAR_KEYS
        assert allowed.get("audit_non_hmac_request_keys", [*clear, clear]) == [*clear, clear]
        assert allowed.get("audit_non_hmac_response_keys", ["", [""]]) == ["", [""]]


@pytest.mark.parametrize("stack", STACKS)
def test_transit_config_pins_export_backup_and_deletion_off(stack: str) -> None:
    cfg = _cfg(stack)
    config = _params(_deployer(stack)[f"{cfg.transit.path}/keys/+/config"], "allowed_parameters")
    assert config["exportable"] == config["allow_plaintext_backup"] == config["deletion_allowed"] == [False]


@pytest.mark.parametrize("stack", STACKS)
def test_previewer_reads_and_writes_nothing(stack: str) -> None:
    policy = _previewer(stack)
    for path, block in policy.items():
        caps = set(block["capabilities"])
        if path == "sys/capabilities-self":
            assert caps == {"update"}  # a read served over POST
        elif path == "sys/audit":
            assert caps == {"read", "sudo"} and _cfg(stack).cluster.server == "vault"
        elif path.startswith("sys/plugins/catalog/"):  # Vault serves the catalog only with sudo
            assert (
                caps == {"read", "sudo"}
                and path == f"sys/plugins/catalog/secret/{_cfg(stack).openai.plugin_name}"
            )
        else:
            assert caps <= {"read", "list"}, path
    # What the deployer may write, the previewer may at most read (sudo alone writes nothing).
    for path in _deployer(stack):
        concrete = path.replace("+", "x").rstrip("*") + ("x" if path.endswith("*") else "")
        assert not capabilities(policy, concrete) & (WRITE - {"sudo"}), concrete
