"""The auto-unseal key and its IAM: HSM in prod, rotation, a 3-permission custom role bound on the key only."""

from __future__ import annotations

import pytest

from infra.harness import unwrap
from infra.platform.kms import UNSEAL_PERMISSIONS, UNSEAL_ROLE_ID

KEY = "gcp:kms/cryptoKey:CryptoKey"


@pytest.mark.parametrize(("stack", "level"), [("prod", "HSM"), ("staging", "SOFTWARE")])
def test_key_protection_level_and_rotation_follow_the_stack(program, one, config, stack, level):
    key = one(program(stack), KEY).inputs
    assert key["versionTemplate"]["protectionLevel"] == level
    assert key["purpose"] == "ENCRYPT_DECRYPT"
    assert key["rotationPeriod"] == f"{config(stack).kms.rotation_period}s"
    assert key["name"] == config(stack).kms.crypto_key


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_key_ring_and_key_are_protected(program, stack):
    program(stack)
    assert program.protected[(stack, "unseal-key-ring")] is True
    assert program.protected[(stack, "unseal-key")] is True
    # and a resource without protect is recorded as unprotected (the check can fail)
    assert program.protected[(stack, "unseal-role")] is False


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_custom_role_holds_exactly_the_three_unseal_permissions(program, one, stack):
    role = one(program(stack), "gcp:projects/iAMCustomRole:IAMCustomRole", "unseal-role").inputs
    assert sorted(role["permissions"]) == sorted(UNSEAL_PERMISSIONS)
    assert set(role["permissions"]) == {
        "cloudkms.cryptoKeys.get",
        "cloudkms.cryptoKeyVersions.useToEncrypt",
        "cloudkms.cryptoKeyVersions.useToDecrypt",
    }


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_kms_is_granted_only_on_the_key_to_the_vault_server_account(program, one, config, stack):
    resources = program(stack)
    project = config(stack).gcp.project
    grant = one(resources, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "unseal-key-vault-server").inputs
    assert grant["cryptoKeyId"] == "unseal-key-id"  # the mock id of the crypto key, not the ring
    # The role is the KMS project's (a custom role is grantable only on its own project's resources).
    assert grant["role"] == f"projects/{config(stack).kms_project()}/roles/{UNSEAL_ROLE_ID}"
    assert grant["member"] == f"serviceAccount:vault-server@{project}.iam.gserviceaccount.com"
    # Nobody else may use the key: the CI identities' grants on it carry no encrypt/decrypt.
    on_the_key = [
        unwrap(r.inputs)
        for r in resources
        if r.type == "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"
        and r.inputs["cryptoKeyId"] == "unseal-key-id"
    ]
    assert {g["member"].split("@")[0] for g in on_the_key} == {
        "serviceAccount:vault-server",
        "serviceAccount:ci-deployer",
        "serviceAccount:ci-previewer",
    }
    roles = {
        r.name: unwrap(r.inputs) for r in resources if r.type == "gcp:projects/iAMCustomRole:IAMCustomRole"
    }
    by_id = {role["roleId"]: role["permissions"] for role in roles.values()}
    for g in on_the_key:
        if "vault-server" in g["member"]:
            continue
        permissions = by_id[g["role"].rsplit("/", 1)[-1]]  # a custom role of the KMS project, each
        assert permissions and not [p for p in permissions if p.startswith("cloudkms.cryptoKeyVersions.use")]
        if "ci-previewer" in g["member"]:
            assert not [p for p in permissions if not p.endswith((".get", ".list", ".getIamPolicy"))]
    # At key-ring scope only the CI ring reader (ring metadata, no key permission); nothing at project scope.
    ring_grants = [unwrap(r.inputs) for r in resources if r.type.startswith("gcp:kms/keyRingIAM")]
    kms_project = config(stack).kms_project()
    assert kms_project != project
    assert {g["role"] for g in ring_grants} == {f"projects/{kms_project}/roles/ciKeyRingReader"}
    # Every custom role granted on the key or its ring is defined in the KMS project, where it is grantable.
    on_kms = {g["role"] for g in ring_grants} | {g["role"] for g in on_the_key}
    for role in roles.values():
        if any(granted.endswith(f"/roles/{role['roleId']}") for granted in on_kms):
            assert role["project"] == kms_project, role["roleId"]
    assert all(p.startswith("cloudkms.keyRings.") for p in roles["ci-key-ring-reader"]["permissions"])
    for r in resources:
        if r.type.startswith("gcp:projects/iAM") and r.type != "gcp:projects/iAMCustomRole:IAMCustomRole":
            assert "cloudkms" not in str(unwrap(r.inputs.get("role", ""))), r.name


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_the_unseal_key_lives_in_the_kms_project(program, one, config, stack):
    """Losing the workload project must not lose the key every snapshot needs (docs/disaster-recovery.md)."""
    from infra.cluster.server_spec import cloud_kms_seal

    cfg = config(stack)
    assert cfg.kms.project and cfg.kms_project() == cfg.kms.project != cfg.gcp.project
    resources = program(stack)
    assert one(resources, "gcp:kms/keyRing:KeyRing", "unseal-key-ring").inputs["project"] == cfg.kms.project
    assert one(resources, "gcp:projects/iAMCustomRole:IAMCustomRole", "unseal-role").inputs["project"] == (
        cfg.kms.project
    )
    assert cloud_kms_seal(cfg).project == cfg.kms.project  # the gcpckms seal names the key's project
    # The stack-secrets key (the state's secrets provider) is in the same project.
    assert cfg.gcp.stack_secrets_key.startswith(f"projects/{cfg.kms.project}/")


def test_kms_project_defaults_to_the_stack_project_and_prod_refuses_that(config):
    from infra.config import ConfigError, parse_stack_config
    from infra.harness import read_stack_config

    raw = read_stack_config("staging")
    raw["kms"] = {k: v for k, v in raw["kms"].items() if k != "project"}
    assert parse_stack_config(raw).kms_project() == raw["gcp"]["project"]
    raw = read_stack_config("prod")
    raw["kms"] = {k: v for k, v in raw["kms"].items() if k != "project"}
    with pytest.raises(
        ConfigError,
        match=r"kms\.project: prod keeps its unseal key and snapshot bucket in a recovery project",
    ):
        parse_stack_config(raw)
    raw["kms"]["project"] = "Bad_Project"
    with pytest.raises(ConfigError, match=r"kms\.project='Bad_Project': a GCP project id"):
        parse_stack_config(raw)
