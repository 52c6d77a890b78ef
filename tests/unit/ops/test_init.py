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


def test_deployer_role_matches_what_the_program_declares():
    """The first `pulumi up` after init must find the role as init wrote it (no surprise diff)."""
    plan = cli_init.bootstrap_writes(_cfg("prod"))
    declared = next(
        r
        for r in run_program("prod")
        if r.type == "vault:jwt/authBackendRole:AuthBackendRole" and r.inputs.get("roleName") == "deployer"
    )
    inputs = declared.inputs
    assert plan.role["bound_claims"] == inputs["boundClaims"]
    assert plan.role["bound_audiences"] == inputs["boundAudiences"]
    assert plan.role["token_policies"] == inputs["tokenPolicies"]
    assert (
        plan.role["token_ttl"] == inputs["tokenTtl"] and plan.role["token_max_ttl"] == inputs["tokenMaxTtl"]
    )
    assert plan.role["user_claim"] == inputs["userClaim"] and plan.role["role_type"] == inputs["roleType"]
    assert plan.role_path == "auth/jwt/role/deployer"
    assert plan.role["bound_claims"] == {"repository": "acme/vault-platform", "environment": "prod"}


def test_policies_are_the_rendered_templates_never_a_wildcard():
    cfg = _cfg("staging")
    plan = cli_init.bootstrap_writes(cfg)
    assert plan.policies[acl.DEPLOYER] == acl.deployer_policy(cfg).text
    assert set(plan.policies) == {acl.DEPLOYER, acl.TOKEN_SELF}
    for text in plan.policies.values():
        assert 'path "*"' not in text


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
