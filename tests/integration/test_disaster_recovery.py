"""Disaster recovery: snapshot, lose every node and its data, rebuild the cluster from code, force-restore
the snapshot into it, and everything is back (checksums of secrets, policies, roles, identities). The KMS
stand-in survives, like the protected Cloud KMS key: without it the snapshot would be useless."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from typing import Any

import hvac
import pytest

from infra.harness import REPO_ROOT
from infra.local import bootstrap, environment, kms, postgres, processes
from infra.local.client import client


def _walk_kv(c: hvac.Client, mount: str, prefix: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {}
    try:
        keys = c.secrets.kv.v2.list_secrets(prefix, mount_point=mount)["data"]["keys"]
    except hvac.exceptions.InvalidPath:
        return found
    for key in keys:
        if key.endswith("/"):
            found |= _walk_kv(c, mount, prefix + key)
        else:
            meta = c.secrets.kv.v2.read_secret_metadata(prefix + key, mount_point=mount)["data"]
            versions = {}
            for number in sorted(meta["versions"], key=int):
                info = meta["versions"][number]
                if info.get("deletion_time") or info.get("destroyed"):
                    # A soft-deleted version (e.g. one `vaultctl keys rotate` withdrew) has no readable data.
                    versions[number] = {
                        "deleted": info.get("deletion_time"),
                        "destroyed": info.get("destroyed"),
                    }
                    continue
                read = c.secrets.kv.v2.read_secret_version(
                    prefix + key, version=int(number), mount_point=mount, raise_on_deleted_version=True
                )
                versions[number] = read["data"]["data"]
            found[prefix + key] = versions
    return found


def _listed(c: hvac.Client, path: str) -> list[str]:
    try:
        return sorted(c.adapter.list(f"/v1/{path}")["data"]["keys"])
    except hvac.exceptions.InvalidPath:
        return []


def inventory(c: hvac.Client, cfg: Any) -> dict[str, Any]:
    """Everything the disaster must not lose, as plain data (secret values included: compared in
    memory and reduced to a checksum, never printed)."""
    inv: dict[str, Any] = {"kv": _walk_kv(c, cfg.kv.path)}
    inv["policies"] = {
        name: c.sys.read_acl_policy(name)["data"]["policy"]
        for name in _listed(c, "sys/policies/acl")
        if name != "root"
    }
    for label, base, sub in (
        ("kubernetes_roles", f"auth/{cfg.kubernetes_auth.path}", "role"),
        ("jwt_roles", f"auth/{cfg.github_oidc.path}", "role"),
        ("database_roles", cfg.database.path, "roles"),
        ("transit_keys", cfg.transit.path, "keys"),
    ):
        inv[label] = {
            name: c.adapter.get(f"/v1/{base}/{sub}/{name}")["data"] for name in _listed(c, f"{base}/{sub}")
        }
    for key in inv["transit_keys"].values():
        key.pop("keys", None)  # creation times of versions: same data, format may vary
    inv["entities"] = {
        name: c.adapter.get(f"/v1/identity/entity/name/{name}")["data"]["metadata"]
        for name in _listed(c, "identity/entity/name")
    }
    inv["mounts"] = sorted(k for k in c.sys.list_mounted_secrets_engines()["data"])
    inv["auth"] = sorted(k for k in c.sys.list_auth_methods()["data"])
    return inv


def checksum(inv: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(inv, sort_keys=True, default=str).encode()).hexdigest()


def _vaultctl(env: Any, token: str, *args: str) -> str:
    leader = env.leader()
    run_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "BAO_"))},
        "VAULT_ADDR": leader.api_addr,
        "VAULT_CACERT": str(env.ca_cert),
        "VAULT_TOKEN": token,
    }
    result = subprocess.run(
        [sys.executable, "-m", "infra.cli", "snapshot", *args],
        cwd=REPO_ROOT,
        env=run_env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_restore_into_a_new_cluster_loses_nothing(env: Any) -> None:
    state, cfg = env.state, env.cfg
    old_root = env.root_client()
    kv = old_root.secrets.kv.v2
    for i in range(5):
        kv.create_or_update_secret(f"apps/dr/secret-{i}", secret={"n": i}, cas=0, mount_point=cfg.kv.path)
    kv.create_or_update_secret("apps/dr/secret-0", secret={"n": "v2"}, cas=1, mount_point=cfg.kv.path)
    key = cfg.transit.keys[0].name
    ciphertext = old_root.secrets.transit.encrypt_data(
        key, base64.b64encode(b"survives").decode(), mount_point=cfg.transit.path
    )["data"]["ciphertext"]
    before = inventory(old_root, cfg)
    assert before["kv"] and before["policies"] and before["kubernetes_roles"] and before["jwt_roles"]

    snap = state.root / "snapshots" / "dr.snap"
    _vaultctl(env, old_root.token, "save", "--to", str(snap))
    assert (snap.stat().st_mode & 0o777) == 0o600
    old_token, old_init = old_root.token, state.init_file.read_text()
    survivors = {name: processes.running(state, name).pid for name in (kms.KMS_NAME, postgres.NAME)}

    # The disaster: every node and its data gone, and the cluster's own keys with them.
    environment.destroy_cluster(state)
    assert not (state.root / "nodes").exists()

    # A new cluster from code (same program, same config), initialized afresh: new keys, new root.
    fresh = environment.up(state, apply=False)
    new_token = bootstrap.root_token(state)
    assert new_token != old_token
    _vaultctl(fresh, new_token, "restore", str(snap), "--force", "--expect-peers", str(len(fresh.nodes)))

    def restored() -> hvac.Client | None:
        c = client(fresh.leader().api_addr, fresh.ca_cert, old_token)
        c.secrets.kv.v2.read_secret_version(
            "apps/dr/secret-4", mount_point=cfg.kv.path, raise_on_deleted_version=True
        )
        return c

    from infra.local.client import wait_for

    recovered = wait_for("the restored data to be readable with the original root token", restored, 60, 0.5)
    # The restored cluster is the old one: its root token and recovery keys are valid again.
    state.write_secret(state.root_token_file.name, old_token)
    state.write_secret(state.init_file.name, old_init)
    with pytest.raises(hvac.exceptions.Forbidden):
        client(fresh.leader().api_addr, fresh.ca_cert, new_token).auth.token.lookup_self()

    after = inventory(recovered, cfg)
    assert checksum(after) == checksum(before), sorted(k for k in before if before[k] != after.get(k))
    plain = recovered.secrets.transit.decrypt_data(key, ciphertext, mount_point=cfg.transit.path)
    assert base64.b64decode(plain["data"]["plaintext"]) == b"survives"
    assert {name: processes.running(state, name).pid for name in survivors} == survivors

    # The runbook's last step: re-apply the configuration from code onto the restored cluster.
    bootstrap.wait_voters(state, fresh.nodes)
    assert environment.apply_vault_layer(fresh) == env.applied
    assert checksum(inventory(client(fresh.leader().api_addr, fresh.ca_cert, old_token), cfg)) == checksum(
        before
    )
