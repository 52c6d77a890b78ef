"""Secrets engines: settings that matter, and every secret input is a Pulumi secret."""

from __future__ import annotations

import io

import pytest

from infra.harness import is_secret, run_program, unwrap
from infra.plan import format_resource
from tests.conftest import STACKS, of_type


def test_database_connection_password_is_secret_and_roles_are_explicit(declared) -> None:
    conn = of_type(declared("prod"), "vault:database/secretBackendConnection:SecretBackendConnection")[
        0
    ].inputs
    # A secret nested in the block makes the whole block secret in state: safe, and what plan masks.
    assert is_secret(conn["postgresql"])
    assert "{{password}}" in unwrap(conn["postgresql"])["connectionUrl"]
    assert sorted(conn["allowedRoles"]) == ["readonly", "readwrite", "reporting"]
    assert conn["verifyConnection"] is True


def test_database_roles_revoke_and_grant_no_all_or_superuser(declared) -> None:
    roles = of_type(declared("prod"), "vault:database/secretBackendRole:SecretBackendRole")
    assert {r.inputs["name"] for r in roles} == {"readonly", "readwrite"}
    for role in roles:
        creation = " ".join(role.inputs["creationStatements"]).upper()
        assert "GRANT ALL" not in creation and "SUPERUSER" not in creation and "CREATEROLE" not in creation
        assert any("DROP ROLE" in s for s in role.inputs["revocationStatements"])
        assert role.inputs["defaultTtl"] <= role.inputs["maxTtl"]
    readonly = next(r for r in roles if r.inputs["name"] == "readonly")
    assert "INSERT" not in " ".join(readonly.inputs["creationStatements"])


def test_root_credentials_are_rotated_after_setup(declared) -> None:
    endpoints = {
        r.name for r in of_type(declared("prod"), "vault:generic/endpoint:Endpoint") if "rotate" in r.name
    }
    assert endpoints == {"database-rotate-root-app", "aws-rotate-root", "openai-rotate-admin-key"}


def test_aws_root_keys_are_secrets_and_policies_are_specific(declared) -> None:
    backend = of_type(declared("prod"), "vault:aws/secretBackend:SecretBackend")[0].inputs
    assert is_secret(backend["accessKey"]) and is_secret(backend["secretKey"])
    role = of_type(declared("prod"), "vault:aws/secretBackendRole:SecretBackendRole")[0].inputs
    assert '"*"' not in role["policyDocument"] and "s3:GetObject" in role["policyDocument"]


def test_local_stack_has_no_aws_engine(declared) -> None:
    assert not [r for r in declared("local") if r.type.startswith("vault:aws/")]


def test_transit_keys_cannot_be_exported_or_deleted(declared) -> None:
    keys = of_type(declared("prod"), "vault:transit/secretBackendKey:SecretBackendKey")
    assert {k.inputs["name"] for k in keys} == {"billing-pii", "analytics-events"}
    for key in keys:
        assert key.inputs["exportable"] is False and key.inputs["deletionAllowed"] is False
        assert key.inputs["allowPlaintextBackup"] is False


def test_kv_v2_settings(declared) -> None:
    mount = next(
        r.inputs for r in of_type(declared("prod"), "vault:index/mount:Mount") if r.inputs["type"] == "kv"
    )
    assert mount["options"] == {"version": "2"}
    config = of_type(declared("prod"), "vault:kv/secretBackendV2:SecretBackendV2")[0].inputs
    assert config["casRequired"] is True and config["maxVersions"] == 20


def test_audit_devices_via_api_only_for_vault(declared) -> None:
    audits = of_type(declared("prod"), "vault:index/audit:Audit")
    assert {a.inputs["path"] for a in audits} == {"stdout"}  # GKE: stdout only (Cloud Logging), issue 11
    for audit in audits:
        assert (
            audit.inputs["options"]["format"] == "json" and audit.inputs["options"]["hmac_accessor"] == "true"
        )
    assert of_type(declared("local"), "vault:index/audit:Audit") == []  # OpenBao: declared in server HCL


def test_rate_limit_quotas_are_declared(declared) -> None:
    quotas = {
        r.inputs["name"]: r.inputs
        for r in of_type(declared("prod"), "vault:index/quotaRateLimit:QuotaRateLimit")
    }
    assert quotas["global"]["rate"] == 2000 and quotas["login-jwt"]["path"] == "auth/jwt/login"


@pytest.mark.parametrize("stack", STACKS)
def test_no_secret_input_is_plain_and_plan_masks_them(declared, stack: str) -> None:
    secret_keys = {"password", "accessKey", "secretKey", "token"}

    def walk(value: object, key: str = "") -> None:
        if is_secret(value):
            return
        if isinstance(value, dict):
            for k, v in value.items():
                assert k not in secret_keys or is_secret(v) or v in (None, ""), f"{stack}: plain {k}"
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)

    out = io.StringIO()
    for resource in declared(stack):
        walk(dict(resource.inputs))
        out.write("\n".join(format_resource(resource)))
    assert "placeholder-for-encrypted-value" not in out.getvalue()


@pytest.mark.parametrize("stack", STACKS)
def test_every_vault_resource_is_parented_by_the_configuration_component(declared, stack: str) -> None:
    for resource in declared(stack):
        if resource.type.startswith("vault:"):
            assert "vault-platform:vault:Configuration" in resource.parent, resource.name


def test_aws_role_inputs_follow_the_credential_type() -> None:
    """STS fields only on assumed roles, the inline policy only where statements are configured."""
    statement = {"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/*"]}
    roles = [
        {"name": "analytics-s3-read", "credential_type": "iam_user", "statements": [statement]},
        {
            "name": "deployer",
            "credential_type": "assumed_role",
            "role_arns": ["arn:aws:iam::123456789012:role/deploy"],
            "default_sts_ttl": 600,
            "max_sts_ttl": 1800,
        },
    ]
    resources = run_program("prod", overrides={"aws": {"roles": roles}})
    declared = {
        r.inputs["name"]: r.inputs
        for r in of_type(resources, "vault:aws/secretBackendRole:SecretBackendRole")
    }
    sts = {"roleArns", "defaultStsTtl", "maxStsTtl"}
    assert not sts & set(declared["analytics-s3-read"])
    assert "s3:GetObject" in declared["analytics-s3-read"]["policyDocument"]
    assumed = declared["deployer"]
    assert assumed["credentialType"] == "assumed_role"
    assert (assumed["roleArns"], assumed["defaultStsTtl"], assumed["maxStsTtl"]) == (
        ["arn:aws:iam::123456789012:role/deploy"],
        600,
        1800,
    )
    assert "policyDocument" not in assumed
