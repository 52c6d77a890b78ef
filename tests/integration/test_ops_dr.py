"""The operator commands against a real 3-node OpenBao Raft cluster, and the disaster-recovery drill.

This module starts its own local environment (the local helper's `environment.up`, in a temporary
state folder) because the drill destroys the cluster; the shared session environment stays untouched.

Drill, end to end with the real commands (`infra.ops.cli_*:main`, what `vaultctl` dispatches to),
the runbook's steps in the runbook's order (`infra.ops.dr.LOCAL_DRILL_STEPS`, a subsequence of
`vaultctl dr plan`): `snapshot save` -> the cluster is destroyed (nodes stopped, data and keys
deleted; the KMS stand-in survives, like Cloud KMS would) -> refresh (every node is gone) -> a new
cluster from the same code -> `init --for-restore` -> `snapshot restore --force` -> `verify --stack
local` green, the data written before the disaster reads back -> a Vault-layer apply that changes
nothing: the program's declarations equal the pre-disaster record, and every write the applier would
send already reads back equal from the restored server (read with a read-only token). The measured
recovery time is printed (run with `-s` to see it).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import hvac
import pytest
import requests

from infra.harness import run_program
from infra.local import environment, github_oidc, jws, processes
from infra.local.apply import Applier
from infra.local.environment import Environment
from infra.local.state import State
from infra.ops import checks, cli_init, cli_snapshot, cli_verify, dr
from infra.vault import acl
from tests import servers
from tests.integration.conftest import ci_token

pytestmark = pytest.mark.integration

MARKER_PATH = "dr-drill/marker"
OPERATOR_POLICY = "dr-operator"
# What the on-call operator holds in prod: verify (read-only views, token accessors) and the snapshot
# read, never root; plus, for the drill only, reading its marker secret to prove no data was lost.
OPERATOR_HCL = (
    checks.VERIFIER_POLICY
    + 'path "sys/storage/raft/snapshot" {\n  capabilities = ["read"]\n}\n'
    + 'path "kv/data/dr-drill/*" {\n  capabilities = ["read"]\n}\n'
)


@pytest.fixture(scope="module")
def drill() -> Iterator[Environment]:
    if servers.bao() is None:
        pytest.skip(servers.NO_BAO)
    # Not pytest's tmp_path: PostgreSQL runs unprivileged and must traverse to its data directory.
    root = Path(tempfile.mkdtemp(prefix="vaultctl-ops-"))
    state = State(root)
    try:
        yield environment.up(state)
    finally:
        environment.down(state)
        leftovers = [name for name in processes.names(state) if processes.running(state, name)]
        shutil.rmtree(root, ignore_errors=True)
        assert not leftovers, f"processes left running: {leftovers}"


@pytest.fixture
def rooted(drill: Environment) -> Environment:
    """The drill environment with a cluster its root token works on.

    The drill revokes the root token and the init tests replace the cluster: a test that needs root
    must not depend on running before them. When the token no longer works, the cluster is rebuilt
    from code (as `up` on a fresh machine), so every test runs alone, in any order.
    """
    try:
        drill.root_client().auth.token.lookup_self()
        return drill
    except (hvac.exceptions.VaultError, requests.RequestException, FileNotFoundError):
        pass  # revoked, or (after `vaultctl init`) its file is gone
    # A new cluster and a new PostgreSQL (the old cluster rotated the database root password, which
    # a new one cannot know) on the same ports; the module's environment is updated in place, so the
    # tests holding it see the new one.
    environment.down(drill.state)
    for data in (drill.state.root / "nodes", drill.state.postgres_dir):
        shutil.rmtree(data, ignore_errors=True)
    fresh = environment.up(drill.state)
    for item in dataclasses.fields(Environment):
        setattr(drill, item.name, getattr(fresh, item.name))
    return drill


@pytest.fixture
def vault_env(monkeypatch: pytest.MonkeyPatch):
    """Point the commands at a node the way an operator would: VAULT_ADDR, VAULT_CACERT, VAULT_TOKEN."""

    def point(env: Environment, token: str | None, node: int | None = None) -> None:
        target = env.nodes[node] if node is not None else env.leader()
        monkeypatch.setenv("VAULT_ADDR", target.api_addr)
        monkeypatch.setenv("VAULT_CACERT", str(env.ca_cert))
        for name in ("BAO_ADDR", "BAO_CACERT", "BAO_TOKEN", "VAULT_SKIP_VERIFY", "BAO_SKIP_VERIFY"):
            monkeypatch.delenv(name, raising=False)
        if token is None:
            monkeypatch.delenv("VAULT_TOKEN", raising=False)
        else:
            monkeypatch.setenv("VAULT_TOKEN", token)

    return point


def _new_cluster(env: Environment) -> None:
    """Start every node again from the same code and config, with empty data: uninitialized."""
    environment.start_cluster(env.state, env.cfg, env)


def _client(env: Environment, token: str) -> hvac.Client:
    return hvac.Client(url=env.leader().api_addr, verify=str(env.ca_cert), token=token, timeout=10)


def _wait_green(env: Environment, token: str, timeout: float = 120) -> list[checks.Check]:
    """Re-run the checks until all pass, as an operator re-runs `verify` while joiners become voters."""
    expected = checks.expected_from_config(env.cfg)
    deadline = time.monotonic() + timeout
    results: list[checks.Check] = []
    while time.monotonic() < deadline:
        try:
            client = _client(env, token)
            results = cli_verify.run_checks(client, client.url, str(env.ca_cert), expected)
            if all(c.ok for c in results):
                return results
        except Exception as err:  # the cluster is still electing / applying the restore
            results = [checks.failed("cluster", err)]
        time.sleep(1)
    raise AssertionError("verify never went green:\n" + checks.render_table(results))


def test_verify_reports_the_local_root_token(rooted: Environment, vault_env, capsys):
    """`up` keeps a root token for the local operator: verify passes everything else and fails that."""
    vault_env(rooted, (rooted.state.root_token_file).read_text().strip())
    assert cli_verify.main(["--stack", "local"]) == 1
    out = capsys.readouterr().out
    assert "no root tokens   FAIL" in out
    for name in ("initialized", "unsealed", "seal type", "raft peers", "TLS", "audit device", "auth methods"):
        assert any(line.startswith(name) and "PASS" in line for line in out.splitlines()), (name, out)
    assert "negotiated TLSv1.3" in out and "below TLSv1.3 refused" in out


def test_snapshot_save_checks_integrity_and_refuses_a_corrupt_copy(
    rooted: Environment, vault_env, tmp_path: Path, capsys
):
    vault_env(rooted, rooted.state.root_token_file.read_text().strip())
    target = tmp_path / "one.snap"
    assert cli_snapshot.main(["save", "--to", str(target)]) == 0
    assert (target.stat().st_mode & 0o777) == 0o600
    assert "meta.json" in capsys.readouterr().out
    corrupt = tmp_path / "corrupt.snap"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    corrupt.write_bytes(bytes(data))
    # No sidecar: only the archive's own SHA256SUMS (or gzip's CRC) can catch it, before any request.
    assert cli_snapshot.main(["restore", str(corrupt), "--force"]) == 1
    assert "integrity check failed" in capsys.readouterr().err


def test_disaster_recovery_drill(rooted: Environment, vault_env, tmp_path: Path, capsys):
    drill = rooted
    root = drill.root_client()
    kv = drill.cfg.kv.path
    # The last successful apply (what Pulumi's state would hold): `up` applied this program.
    overrides = environment.overrides(drill)
    recorded = dr.state_record("local", run_program("local", overrides))
    root.sys.create_or_update_policy(name=OPERATOR_POLICY, policy=OPERATOR_HCL)
    performed: list[str] = []
    # Orphan: revoking the root token below revokes its children too. (In prod the operator's token
    # comes from an auth method, never from root.)
    operator = root.auth.token.create_orphan(policies=[OPERATOR_POLICY], ttl="2h", renewable=False)["auth"][
        "client_token"
    ]
    marker = f"written before the disaster at {time.time():.0f}"
    root.secrets.kv.v2.create_or_update_secret(path=MARKER_PATH, secret={"v": marker}, cas=0, mount_point=kv)
    # Prod has no root token (init revokes it); make the drill's cluster look the same.
    root.auth.token.revoke_self()

    snap = tmp_path / "latest.snap"
    vault_env(drill, operator)
    assert cli_snapshot.main(["save", "--to", str(snap)]) == 0

    # --- the disaster: every node and its data gone; the KMS key survives.
    started = time.monotonic()
    environment.destroy_cluster(drill.state)
    # --- refresh: what the state learns from the real world is that every node is gone.
    assert {n["role"] for n in environment.status(drill.state)["nodes"]} == {"down"}
    performed.append("refresh")
    # --- rebuild: a new cluster from the same code (same renderer, same config), uninitialized.
    _new_cluster(drill)
    performed.append("rebuild")
    restore_token = tmp_path / "restore-token"
    vault_env(drill, None, node=0)
    assert (
        cli_init.main(
            ["--stack", "local", "--keys-dir", str(tmp_path / "keys"), "--for-restore", str(restore_token)]
        )
        == 0
    )
    assert (restore_token.stat().st_mode & 0o777) == 0o600
    performed.append("init-for-restore")
    vault_env(drill, restore_token.read_text().strip(), node=0)
    assert cli_snapshot.main(["restore", str(snap), "--force", "--expect-peers", "3"]) == 0
    performed.append("restore")
    # The new cluster's token died with the restore: the snapshot's token store is in charge
    # (docs/facts.md#restore-needs-the-same-key).
    with pytest.raises(hvac.exceptions.Forbidden):
        _client(drill, restore_token.read_text().strip()).auth.token.lookup_self()
    _wait_green(drill, operator)
    recovered = time.monotonic() - started

    vault_env(drill, operator)
    assert cli_verify.main(["--stack", "local"]) == 0
    out = capsys.readouterr().out
    assert "10/10 passed" in out
    back = _client(drill, operator).secrets.kv.v2.read_secret_version(
        path=MARKER_PATH, mount_point=kv, raise_on_deleted_version=True
    )
    assert back["data"]["data"]["v"] == marker
    performed.append("verify")

    # --- the Vault layer: the program declares what the record holds, and applying it would change
    # nothing on the restored server.
    declared = run_program("local", overrides)
    assert dr.program_diff(recorded, "local", declared).changes_nothing()
    # `pulumi preview --refresh` as the read-only CI identity (its role came back with the snapshot):
    # every resource the engine state holds is read, each step decided, nothing written.
    previewer = drill.ci_login(acl.PREVIEWER, github_oidc.preview_job(drill.configured()))
    preview = Applier(previewer, drill.ca_cert, drill.engine_state, preview=True)
    run_program(
        "local", {**overrides, "vault": {**overrides["vault"], "adopt_bootstrap": True}}, hook=preview
    )
    preview.finish()
    report = dr.report_from_steps(preview.steps)
    assert report.changes_nothing(), report.summary()
    assert len(report.unchanged) == len([r for r in declared if r.type.startswith("vault:")])
    performed.append("vault-layer")
    assert performed == list(dr.LOCAL_DRILL_STEPS)
    with capsys.disabled():  # how long it took is printed, not asserted: bench/recovery.py measures it
        print(
            f"\nDR drill: destroy -> new cluster -> init -> restore -> verify green in {recovered:.1f}s; "
            f"Vault layer: {report.summary()}"
        )


def test_init_bootstraps_the_deployer_and_revokes_root(drill: Environment, vault_env, tmp_path: Path, capsys):
    environment.destroy_cluster(drill.state)
    _new_cluster(drill)
    pubkey = tmp_path / "github-oidc.pem"
    pubkey.write_text(jws.public_pem(jws.ensure_key(drill.github_key())))
    keys = tmp_path / "keys"
    vault_env(drill, None, node=0)
    argv = ["--stack", "local", "--keys-dir", str(keys), "--jwt-pubkey", str(pubkey)]
    assert cli_init.main(argv) == 0
    out = capsys.readouterr().out
    assert "root token revoked" in out
    assert "root_token" not in out and "hvs." not in out
    shares = keys / "recovery-keys.json"
    assert (shares.stat().st_mode & 0o777) == 0o600 and (keys.stat().st_mode & 0o777) == 0o700
    written = json.loads(shares.read_text())
    assert len(written["recovery_keys_base64"]) == 5 and written["threshold"] == 3

    # Idempotent: a second run changes nothing.
    assert cli_init.main(argv) == 0
    assert "already initialized" in capsys.readouterr().out

    # CI's path from here: the deployer role accepts this repository's deploy job, nothing else.
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(drill.github_key().read_bytes(), password=None)
    unauth = hvac.Client(url=drill.nodes[0].api_addr, verify=str(drill.ca_cert), timeout=10)
    good = ci_token(key, github_oidc.deploy_job(drill.cfg))
    login = unauth.auth.jwt.jwt_login(role="deployer", jwt=good, path=drill.cfg.github_oidc.path)
    assert login["auth"]["policies"] == ["deployer"]
    assert login["auth"]["lease_duration"] <= drill.cfg.deployer.token_ttl
    wrong = ci_token(key, github_oidc.deploy_job(drill.cfg, repository_id="1"))
    with pytest.raises(hvac.exceptions.VaultError):
        unauth.auth.jwt.jwt_login(role="deployer", jwt=wrong, path=drill.cfg.github_oidc.path)


@pytest.mark.skipif(shutil.which("gpg") is None, reason="no gpg to make the holders' keys")
def test_init_encrypts_recovery_shares_to_pgp_keys(drill: Environment, vault_env, tmp_path: Path, capsys):
    """The staging/prod path: each recovery share is readable only by its holder's private key."""
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    gpg = ["gpg", "--homedir", str(home), "--batch", "--pinentry-mode", "loopback", "--passphrase", ""]
    holders = ["holder-1@example.invalid", "holder-2@example.invalid"]
    try:
        keyfiles = []
        for holder in holders:
            subprocess.run(
                [*gpg, "--quick-gen-key", holder, "rsa2048", "cert,encr", "never"],
                check=True,
                capture_output=True,
            )
            keyfile = tmp_path / f"{holder}.gpg"
            keyfile.write_bytes(
                subprocess.run([*gpg, "--export", holder], check=True, capture_output=True).stdout
            )
            keyfiles.append(str(keyfile))
        environment.destroy_cluster(drill.state)
        _new_cluster(drill)
        vault_env(drill, None, node=0)
        keys = tmp_path / "shares"
        # The local stack may also take PGP keys; staging/prod must (test_init.py covers the refusal).
        argv = [
            "--stack",
            "local",
            "--keys-dir",
            str(keys),
            "--recovery-shares",
            "2",
            "--recovery-threshold",
            "2",
        ]
        pubkey = tmp_path / "github-oidc.pem"
        pubkey.write_text(jws.public_pem(jws.ensure_key(drill.github_key())))
        argv += ["--recovery-pgp-keys", ",".join(keyfiles), "--jwt-pubkey", str(pubkey)]
        assert cli_init.main(argv) == 0
        assert "PGP-encrypted" in capsys.readouterr().out
        for index in (1, 2):
            share = keys / f"recovery-share-{index}.pgp.b64"
            assert (share.stat().st_mode & 0o777) == 0o600
            sealed = base64.b64decode(share.read_text())
            clear = subprocess.run([*gpg, "--decrypt"], input=sealed, check=True, capture_output=True).stdout
            assert clear and clear != sealed
    finally:
        subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], check=False, capture_output=True)
