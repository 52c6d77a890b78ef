"""`vaultctl init`'s plan (what it writes with the root token) and its refusals, without a server."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from infra.config import ConfigError, parse_stack_config
from infra.harness import read_stack_config, run_program
from infra.ops import cli_init
from infra.vault import acl


def _cfg(stack: str, overrides: dict | None = None):
    return parse_stack_config(read_stack_config(stack, overrides))


def _declared(stack: str, type_token: str) -> dict[str, dict]:
    key = {"vault:jwt/authBackendRole:AuthBackendRole": "roleName", "vault:index/audit:Audit": "path"}
    return {
        r.inputs.get(key.get(type_token, "name")): dict(r.inputs)
        for r in run_program(stack)
        if r.type == type_token
    }


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_bootstrap_roles_are_what_the_program_declares(stack: str):
    """The first `pulumi up` adopts the roles init wrote: their API bodies must be what the provider
    would send for the program's inputs, or the adoption turns into an update CI may not make."""
    plan = cli_init.bootstrap_writes(_cfg(stack))
    declared = _declared(stack, "vault:jwt/authBackendRole:AuthBackendRole")
    assert set(plan.roles) == {"auth/jwt/role/deployer", "auth/jwt/role/previewer"}
    for path, body in plan.roles.items():
        inputs = declared[path.rsplit("/", 1)[-1]]
        assert body["bound_claims"] == {k: v.split(",") for k, v in inputs["boundClaims"].items()}
        assert body["bound_audiences"] == inputs["boundAudiences"]
        assert body["bound_claims_type"] == inputs["boundClaimsType"]
        assert sorted(body["token_policies"]) == sorted(inputs["tokenPolicies"])
        assert body["token_ttl"] == inputs["tokenTtl"] and body["token_max_ttl"] == inputs["tokenMaxTtl"]
        assert body["user_claim"] == inputs["userClaim"] and body["role_type"] == inputs["roleType"]
        assert body["token_no_default_policy"] is inputs["tokenNoDefaultPolicy"] is True
    deployer = plan.roles["auth/jwt/role/deployer"]
    assert deployer["bound_claims"] == {
        "repository_id": ["700100200"],
        "repository_owner_id": ["700100001"],
        "ref": ["refs/heads/main"],
        "event_name": ["push", "workflow_dispatch"],
        "job_workflow_ref": ["acme/vault-platform/.github/workflows/deploy.yml@refs/heads/main"],
        "environment": [stack],
    }
    assert deployer["bound_audiences"] == [f"vault-platform-{stack}"]
    assert deployer["token_policies"] == ["deployer"]


def test_policies_are_the_rendered_templates_never_a_wildcard():
    cfg = _cfg("staging")
    plan = cli_init.bootstrap_writes(cfg)
    assert plan.policies[acl.DEPLOYER] == acl.deployer_policy(cfg).text
    assert plan.policies[acl.PREVIEWER] == acl.previewer_policy(cfg).text
    assert set(plan.policies) == {acl.DEPLOYER, acl.PREVIEWER}
    declared = _declared("staging", "vault:index/policy:Policy")
    for name, text in plan.policies.items():
        assert 'path "*"' not in text
        assert declared[name]["policy"] == text  # adopted as written


def test_audit_devices_are_created_by_init_for_vault_only():
    plan = cli_init.bootstrap_writes(_cfg("prod"))
    declared = _declared("prod", "vault:index/audit:Audit")
    assert set(plan.audit) == set(declared) == {d.name for d in _cfg("prod").vault.audit}
    assert plan.audit
    for name, body in plan.audit.items():
        assert body["options"] == declared[name]["options"]
        assert body["description"] == declared[name]["description"] and body["type"] == declared[name]["type"]
    assert cli_init.bootstrap_writes(_cfg("local"), ["PEM"]).audit == {}  # OpenBao: server HCL


def test_jwt_config_from_discovery_or_pubkeys():
    assert cli_init.bootstrap_writes(_cfg("prod")).jwt_config == {
        "bound_issuer": "https://token.actions.githubusercontent.com",
        "oidc_discovery_url": "https://token.actions.githubusercontent.com",
    }
    with pytest.raises(ConfigError, match="--jwt-pubkey"):
        cli_init.bootstrap_writes(_cfg("local"))
    plan = cli_init.bootstrap_writes(_cfg("local"), ["PEM"])
    assert plan.jwt_config["jwt_validation_pubkeys"] == ["PEM"]


def test_prod_refuses_plaintext_recovery_keys(tmp_path: Path, capsys):
    assert cli_init.main(["--stack", "prod", "--keys-dir", str(tmp_path)]) == 2
    assert "--recovery-pgp-keys" in capsys.readouterr().err


def test_one_pgp_key_per_share(tmp_path: Path, capsys):
    key = tmp_path / "k.asc"
    key.write_text(base64.b64encode(b"\x99\x01\x0dfake").decode())
    assert (
        cli_init.main(["--stack", "prod", "--keys-dir", str(tmp_path), "--recovery-pgp-keys", f"{key},{key}"])
        == 2
    )
    assert "2 PGP keys for 5 shares" in capsys.readouterr().err


def test_pgp_key_formats(tmp_path: Path):
    binary = b"\x99\x01\x0d" + bytes(range(40))
    b64 = base64.b64encode(binary).decode()
    (tmp_path / "bin.gpg").write_bytes(binary)
    (tmp_path / "b64.txt").write_text(b64 + "\n")
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    armored = (
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\nComment: test\n\n"
        + "\n".join(lines)
        + "\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n"
    )
    (tmp_path / "key.asc").write_text(armored)
    for name in ("bin.gpg", "b64.txt", "key.asc"):
        assert cli_init.pgp_key_b64(tmp_path / name) == b64, name
    (tmp_path / "junk").write_text("not a key!")
    with pytest.raises(ValueError, match="not a PGP public key"):
        cli_init.pgp_key_b64(tmp_path / "junk")


def test_update_bootstrap_needs_an_operator_token_and_address(monkeypatch: pytest.MonkeyPatch, capsys):
    for name in ("VAULT_ADDR", "BAO_ADDR", "VAULT_TOKEN", "BAO_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert cli_init.main(["--stack", "prod", "--update-bootstrap"]) == 1
    assert "VAULT_ADDR" in capsys.readouterr().err


def test_print_plan_shows_every_bootstrap_write_and_no_secret(capsys):
    assert cli_init.main(["--stack", "staging", "--print-plan"]) == 0
    import json

    plan = json.loads(capsys.readouterr().out)
    assert set(plan["policies"]) == {"deployer", "previewer"}
    assert set(plan["roles"]) == {"auth/jwt/role/deployer", "auth/jwt/role/previewer"}
    assert "placeholder-for-encrypted-value" not in json.dumps(plan)  # stack secrets never reach it
