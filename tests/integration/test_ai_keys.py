"""`vaultctl keys status | rotate` against the local cluster, as an operator runs them: the console
script, with a token holding only the rotator and auditor policies (never root), the new key on stdin.

Covered: a verified rotation (recorded with who and when, served to the key's service and to no other),
a failed verification rolled back (the previous key served again, its age carried over), a first
version that fails verification (soft-deleted), overdue and undeclared keys (exit 1), and what the
rotator and the report's auditor policy may not do.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import hvac
import pytest
import requests

from infra.ops.keys_status import format_time, parse_time
from infra.vault import acl
from infra.vault.ai_keys import declared_metadata, key_path
from tests.integration.conftest import ci_token, jwt_login, service_login

pytestmark = pytest.mark.integration

VAULTCTL = str(Path(sys.executable).with_name("vaultctl"))
# A hook that accepts exactly one key on stdin: stands in for a provider API ping.
ACCEPTS = f"{sys.executable} -c \"import sys; sys.exit(0 if sys.stdin.read().strip() == '{{key}}' else 1)\""


@pytest.fixture(scope="module")
def rotator(root: Any) -> hvac.Client:
    token = root.auth.token.create(
        policies=[acl.AI_KEYS_ROTATOR, acl.AI_KEYS_AUDITOR, acl.TOKEN_SELF], display_name="alice", ttl="30m"
    )["auth"]["client_token"]
    return hvac.Client(url=root.url, verify=root.session.verify, token=token)


def vaultctl(env: Any, client: hvac.Client, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "BAO_"))}
    environ |= {
        "VAULT_ADDR": env.leader().api_addr,
        "VAULT_CACERT": str(env.ca_cert),
        "VAULT_TOKEN": client.token,
    }
    return subprocess.run(
        [VAULTCTL, "keys", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
        check=False,
    )


def rotate(env: Any, client: hvac.Client, service: str, provider: str, new: str, accepts: str) -> Any:
    return vaultctl(
        env,
        client,
        "rotate",
        service,
        provider,
        "--stack",
        "local",
        "--verify",
        ACCEPTS.format(key=accepts),
        stdin=new + "\n",
    )


def status(env: Any, client: hvac.Client, *extra: str) -> tuple[int, dict[str, Any]]:
    proc = vaultctl(env, client, "status", "--stack", "local", "--format", "json", *extra)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, {k["key"]: k for k in json.loads(proc.stdout)["keys"]}


def metadata(root: Any, env: Any, path: str) -> dict[str, Any]:
    return root.secrets.kv.v2.read_secret_metadata(path, mount_point=env.cfg.kv.path)["data"]


def read_as(client: hvac.Client, env: Any, path: str) -> str:
    data = client.secrets.kv.v2.read_secret_version(
        path, mount_point=env.cfg.kv.path, raise_on_deleted_version=True
    )
    return data["data"]["data"]["api_key"]


def test_verified_rotation_is_recorded_and_served_to_its_service_only(
    env: Any, root: Any, rotator: hvac.Client, sa_key: Any, github_key: Any
) -> None:
    path = key_path("anthropic", "ai-gateway")
    before = metadata(root, env, path)["current_version"]
    proc = rotate(env, rotator, "ai-gateway", "anthropic", "sk-ant-first", accepts="sk-ant-first")
    assert proc.returncode == 0, proc.stderr
    assert "sk-ant-first" not in proc.stdout + proc.stderr  # the key is never echoed
    meta = metadata(root, env, path)
    custom = meta["custom_metadata"]
    assert meta["current_version"] == before + 1
    assert custom["rotated_by"] == "token-alice"  # from the rotating token's lookup-self
    assert custom["rotation_version"] == str(before + 1)
    assert abs((parse_time(custom["last_rotation"]) - dt.datetime.now(dt.UTC)).total_seconds()) < 120
    assert custom["owner"] == "ml-platform@acme.example"  # the declared metadata survives the record
    # Its service reads the new key; another service is refused.
    assert read_as(service_login(env, sa_key, github_key, "ai-gateway"), env, path) == "sk-ant-first"
    with pytest.raises(hvac.exceptions.Forbidden):
        read_as(service_login(env, sa_key, github_key, "billing"), env, path)
    _, keys = status(env, rotator)
    assert keys["anthropic/ai-gateway"]["state"] == "ok"
    assert keys["anthropic/ai-gateway"]["rotated_by"] == "token-alice"


def test_failed_verification_rolls_back_and_keeps_the_keys_age(
    env: Any, root: Any, rotator: hvac.Client, sa_key: Any, github_key: Any
) -> None:
    path = key_path("anthropic", "ai-gateway")
    good = rotate(env, rotator, "ai-gateway", "anthropic", "sk-ant-good", accepts="sk-ant-good")
    assert good.returncode == 0, good.stderr
    meta = metadata(root, env, path)
    rotated_at, version = meta["custom_metadata"]["last_rotation"], meta["current_version"]
    bad = rotate(env, rotator, "ai-gateway", "anthropic", "sk-ant-revoked", accepts="something-else")
    assert bad.returncode == 1
    assert f"version {version}'s key restored as version {version + 2}" in bad.stderr
    meta = metadata(root, env, path)
    custom = meta["custom_metadata"]
    assert meta["current_version"] == version + 2  # the unverified one stays in history, not current
    assert read_as(service_login(env, sa_key, github_key, "ai-gateway"), env, path) == "sk-ant-good"
    assert custom["last_rotation"] == rotated_at and custom["rotation_version"] == str(version + 2)
    assert custom["last_failed_by"] == "token-alice"
    _, keys = status(env, rotator)
    assert keys["anthropic/ai-gateway"]["set_at"] == format_time(parse_time(rotated_at))
    assert any("last failed rotation" in note for note in keys["anthropic/ai-gateway"]["notes"])


def test_a_first_version_that_fails_verification_is_soft_deleted(
    env: Any, root: Any, rotator: hvac.Client, sa_key: Any, github_key: Any
) -> None:
    path = key_path("openai", "ai-gateway")
    meta = metadata(root, env, path)
    if meta["current_version"] and not meta["versions"][str(meta["current_version"])]["deletion_time"]:
        root.secrets.kv.v2.delete_latest_version_of_secret(path, mount_point=env.cfg.kv.path)
    proc = rotate(env, rotator, "ai-gateway", "openai", "sk-oai-broken", accepts="nope")
    assert proc.returncode == 1 and "soft-deleted (no earlier key)" in proc.stderr
    with pytest.raises(hvac.exceptions.InvalidPath):
        read_as(service_login(env, sa_key, github_key, "ai-gateway"), env, path)
    _, keys = status(env, rotator)
    assert keys["openai/ai-gateway"]["state"] == "missing"


def test_overdue_and_undeclared_keys_fail_the_report(env: Any, root: Any, rotator: hvac.Client) -> None:
    for provider in ("openai", "anthropic"):
        fresh = f"sk-{provider}-current"
        assert rotate(env, rotator, "ai-gateway", provider, fresh, accepts=fresh).returncode == 0
    now = dt.datetime.now(dt.UTC)
    code, keys = status(env, rotator, "--as-of", format_time(now + dt.timedelta(days=1)))
    assert code == 0, keys
    code, keys = status(env, rotator, "--as-of", format_time(now + dt.timedelta(days=91)))
    assert code == 1
    assert {k["state"] for k in keys.values()} == {"overdue"}
    text = vaultctl(
        env, rotator, "status", "--stack", "local", "--as-of", format_time(now + dt.timedelta(days=91))
    )
    assert "OVERDUE" in text.stdout and text.returncode == 1
    # A key nobody declared (written around the catalog) is reported until it is declared or removed.
    stray = key_path("openai", "shadow-app")
    root.secrets.kv.v2.create_or_update_secret(
        stray, secret={"api_key": "x"}, cas=0, mount_point=env.cfg.kv.path
    )
    try:
        code, keys = status(env, rotator)
        assert code == 1 and keys["openai/shadow-app"]["state"] == "undeclared"
    finally:
        root.secrets.kv.v2.delete_metadata_and_all_versions(stray, mount_point=env.cfg.kv.path)
    assert status(env, rotator)[0] == 0


def test_rotate_refuses_undeclared_keys_and_keys_on_argv(env: Any, rotator: hvac.Client) -> None:
    proc = vaultctl(
        env, rotator, "rotate", "billing", "openai", "--stack", "local", "--no-verify", stdin="sk-x\n"
    )
    assert proc.returncode == 2 and "not a declared key" in proc.stderr
    proc = vaultctl(
        env, rotator, "rotate", "ai-gateway", "openai", "sk-on-argv", "--stack", "local", "--no-verify"
    )
    assert proc.returncode == 2  # argparse: no positional for a key


def test_what_the_rotator_and_the_auditor_may_not_do(env: Any, root: Any, rotator: hvac.Client) -> None:
    kv = env.cfg.kv.path
    auditor = root.auth.token.create(policies=[acl.AI_KEYS_AUDITOR, acl.TOKEN_SELF], ttl="10m")["auth"][
        "client_token"
    ]
    probes = {
        f"{kv}/destroy/ai/providers/openai/ai-gateway": ["deny"],
        f"{kv}/data/ai/providers/openai/billing": ["deny"],  # not a declared key
        f"{kv}/data/apps/billing/config": ["deny"],
        "sys/policies/acl/ai-keys-rotator": ["deny"],
    }
    caps = root.sys.get_capabilities(paths=list(probes), token=rotator.token)
    assert {p: sorted(caps[p]) for p in probes} == probes
    # The rotator's metadata access is read + patch (merge the record): never delete (all versions).
    meta_path = f"{kv}/metadata/ai/providers/openai/ai-gateway"
    assert sorted(root.sys.get_capabilities(paths=[meta_path], token=rotator.token)[meta_path]) == [
        "patch",
        "read",
    ]
    data_path = f"{kv}/data/ai/providers/openai/ai-gateway"
    folder = f"{kv}/metadata/ai/providers/"
    other = f"{kv}/metadata/ai/providers/openai/billing"
    caps = root.sys.get_capabilities(paths=[data_path, meta_path, folder, other], token=auditor)
    assert caps[data_path] == caps[other] == ["deny"]  # never a value, nor an undeclared key's metadata
    assert caps[meta_path] == ["read"] and caps[folder] == ["list"]
    # The rotator's record is a PATCH of custom_metadata alone: pruning versions is refused.
    for body in ({"max_versions": 1}, {"delete_version_after": "1s"}):
        response = requests.patch(
            f"{env.leader().api_addr}/v1/{meta_path}",
            headers={"X-Vault-Token": rotator.token, "Content-Type": "application/merge-patch+json"},
            json=body,
            verify=str(env.ca_cert),
            timeout=10,
        )
        assert response.status_code == 403, body
    report = hvac.Client(url=root.url, verify=root.session.verify, token=auditor)
    _, keys = status(env, report)
    assert "openai/ai-gateway" in keys


def _auditor_claims(env: Any, **changes: Any) -> dict[str, Any]:
    d, k = env.cfg.deployer, env.cfg.ai_keys
    now = int(time.time())
    claims = {
        "iss": "https://token.actions.githubusercontent.com",
        "aud": d.oidc_audience(),
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "sub": f"repo:{d.repository}:ref:{d.ref}",
        "repository": d.repository,
        "repository_id": str(d.repository_id),
        "repository_owner_id": str(d.repository_owner_id),
        "ref": d.ref,
        "event_name": "schedule",
        "job_workflow_ref": d.workflow_ref(k.auditor_workflow),
    }
    return {**claims, **changes}


def test_the_report_logs_in_as_keys_auditor_from_its_workflow_only(env: Any, github_key: Any) -> None:
    """The scheduled workflow's login, as GitHub would sign it: key metadata, never a value; the same
    role refuses another workflow, a pull request and another repository."""
    login = jwt_login(env, acl.KEYS_AUDITOR_ROLE, ci_token(github_key, _auditor_claims(env)))
    assert sorted(login.auth.token.lookup_self()["data"]["policies"]) == [acl.AI_KEYS_AUDITOR, acl.TOKEN_SELF]
    _, keys = status(env, login)
    assert {"openai/ai-gateway", "anthropic/ai-gateway"} <= set(keys)
    with pytest.raises(hvac.exceptions.Forbidden):
        read_as(login, env, key_path("openai", "ai-gateway"))
    d = env.cfg.deployer
    for refused in (
        {"job_workflow_ref": d.workflow_ref(".github/workflows/deploy.yml")},
        {"event_name": "pull_request"},
        {"repository_id": "999"},
        {"ref": "refs/heads/feature"},
        {"aud": env.cfg.github_oidc.audience},
    ):
        with pytest.raises(hvac.exceptions.VaultError):
            jwt_login(env, acl.KEYS_AUDITOR_ROLE, ci_token(github_key, _auditor_claims(env, **refused)))


def _deployer_call(env: Any, token: str, method: str, path: str, body: dict[str, Any] | None) -> int:
    return requests.request(
        method,
        f"{env.leader().api_addr}/v1/{path}",
        headers={"X-Vault-Token": token},
        json=body,
        verify=str(env.ca_cert),
        timeout=10,
    ).status_code


def test_what_issue_17_lets_the_deployer_write_is_pinned(env: Any) -> None:
    """The deployer writes the keys' metadata, the keys-auditor role and the Kubernetes tune; each grant
    refuses what would widen it (403 from the ACL), while the same token applies the layer."""
    kv, k8s, jwt = env.cfg.kv.path, env.cfg.kubernetes_auth.path, env.cfg.github_oidc.path
    meta = f"{kv}/metadata/{key_path('openai', 'ai-gateway')}"
    role = {"role_type": "jwt", "bound_audiences": ["x"], "user_claim": "sub", "bound_claims": {"sub": "x"}}
    attempts = {
        "keep-the-login-jwt-in-clear": (
            "POST",
            f"sys/mounts/auth/{k8s}/tune",
            {"audit_non_hmac_request_keys": ["role", "jwt"]},
        ),
        "auditor-role-with-deployer": (
            "POST",
            f"auth/{jwt}/role/{acl.KEYS_AUDITOR_ROLE}",
            {**role, "token_policies": ["deployer"]},
        ),
        "auditor-role-with-rotator": (
            "POST",
            f"auth/{jwt}/role/{acl.KEYS_AUDITOR_ROLE}",
            {**role, "token_policies": [acl.AI_KEYS_ROTATOR]},
        ),
        "key-metadata-without-cas": ("POST", meta, {"cas_required": False}),
        "key-metadata-prune-versions": ("POST", meta, {"cas_required": True, "max_versions": 1}),
        "key-metadata-auto-delete": ("POST", meta, {"cas_required": True, "delete_version_after": "1s"}),
        "key-metadata-delete": ("DELETE", meta, None),
        "undeclared-key-metadata": (
            "POST",
            f"{kv}/metadata/{key_path('openai', 'billing')}",
            {"cas_required": True},
        ),
        "read-a-provider-key": ("GET", f"{kv}/data/{key_path('openai', 'ai-gateway')}", None),
        "write-a-provider-key": (
            "POST",
            f"{kv}/data/{key_path('openai', 'ai-gateway')}",
            {"data": {"api_key": "x"}},
        ),
        "register-a-plugin": (
            "PUT",
            "sys/plugins/catalog/secret/evil",
            {"type": "secret", "sha256": "0" * 64, "command": "sh"},
        ),
    }
    token = env.deployer_token()
    opened = {
        name: code
        for name, (m, p, b) in attempts.items()
        if (code := _deployer_call(env, token, m, p, b)) != 403
    }
    assert opened == {}
    # The same writes with the declared values pass (what the provider sends).
    body = {"cas_required": True, "custom_metadata": metadata_for(env)}
    assert _deployer_call(env, token, "POST", meta, body) == 204


def metadata_for(env: Any) -> dict[str, str]:
    service = next(s for s in env.cfg.services if s.name == "ai-gateway")
    key = next(k for k in service.kv.ai_keys if k.provider == "openai")
    return declared_metadata(service, key)
