"""Recovery time: the disaster-recovery drill (new cluster from code + restore + verify), median of N.

Usage: python bench/recovery.py [--runs 5]
Each phase of a drill prints one line with its time as it ends (a spinner between them on a terminal).
One local environment (fresh temp state). Setup once: an operator token (the drill's policy), a marker
secret, root revoked (as prod). Each run, with the real commands (`infra.ops.cli_*:main`): `snapshot save`
-> timer starts -> `destroy_cluster` (nodes + data + keys gone; the KMS stand-in survives) -> new cluster
from the same code -> `init --for-restore` -> `snapshot restore --force` -> verify checks all green and
the marker reads back -> timer stops.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import hvac
from _common import local_env, spread

from infra.local import environment
from infra.local.environment import Environment
from infra.ops import cli_init, cli_snapshot
from infra.progress import Progress
from tests.integration.test_ops_dr import MARKER_PATH, OPERATOR_HCL, OPERATOR_POLICY, _wait_green


def point(env: Environment, token: str | None, node: int | None = None) -> None:
    """VAULT_ADDR / VAULT_CACERT / VAULT_TOKEN as an operator sets them."""
    target = env.nodes[node] if node is not None else env.leader()
    os.environ["VAULT_ADDR"] = target.api_addr
    os.environ["VAULT_CACERT"] = str(env.ca_cert)
    for name in (
        "BAO_ADDR",
        "BAO_CACERT",
        "BAO_TOKEN",
        "VAULT_SKIP_VERIFY",
        "BAO_SKIP_VERIFY",
        "VAULT_TOKEN",
    ):
        os.environ.pop(name, None)
    if token is not None:
        os.environ["VAULT_TOKEN"] = token


def quiet(fn: object, argv: list[str]) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
        code = fn(argv)  # type: ignore[operator]
    if code != 0:
        raise RuntimeError(f"{argv} -> {code}: {err.getvalue()[-2000:]}")
    return code


def drill(env: Environment, operator: str, marker: str, work: Path, progress: Progress) -> float:
    """One drill; each phase prints its line as it ends (infra.progress), the total is returned."""
    snap = work / "latest.snap"
    point(env, operator)
    with progress.phase("snapshot save"):
        quiet(cli_snapshot.main, ["save", "--to", str(snap)])
    started = time.monotonic()
    with progress.phase("destroy"):
        environment.destroy_cluster(env.state)
    with progress.phase("new cluster"):
        environment.start_cluster(env.state, env.cfg, env)
    restore_token = work / "restore-token"
    point(env, None, node=0)
    with progress.phase("init --for-restore"):
        quiet(
            cli_init.main,
            ["--stack", "local", "--keys-dir", str(work / "keys"), "--for-restore", str(restore_token)],
        )
    point(env, restore_token.read_text().strip(), node=0)
    with progress.phase("snapshot restore"):
        quiet(cli_snapshot.main, ["restore", str(snap), "--force", "--expect-peers", "3"])
    with progress.phase("verify green"):
        _wait_green(env, operator)
        client = hvac.Client(url=env.leader().api_addr, verify=str(env.ca_cert), token=operator, timeout=10)
        back = client.secrets.kv.v2.read_secret_version(
            path=MARKER_PATH, mount_point=env.cfg.kv.path, raise_on_deleted_version=True
        )
    if back["data"]["data"]["v"] != marker:
        raise RuntimeError("marker did not survive the drill")
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    times: list[float] = []
    with local_env() as env:
        root = env.root_client()
        root.sys.create_or_update_policy(name=OPERATOR_POLICY, policy=OPERATOR_HCL)
        operator = root.auth.token.create_orphan(policies=[OPERATOR_POLICY], ttl="4h", renewable=False)[
            "auth"
        ]["client_token"]
        marker = f"written before the disaster at {time.time():.0f}"
        root.secrets.kv.v2.create_or_update_secret(
            path=MARKER_PATH, secret={"v": marker}, cas=0, mount_point=env.cfg.kv.path
        )
        root.auth.token.revoke_self()
        for run in range(args.runs):
            progress = Progress(f"DR drill run {run + 1}", sys.stdout)
            with tempfile.TemporaryDirectory(prefix="bench-dr-") as work:
                took = drill(env, operator, marker, Path(work), progress)
            times.append(took)
            print(
                f"run {run + 1}: destroy -> new cluster -> init -> restore -> verify green in {took:.1f}s",
                flush=True,
            )
    print(f"DR drill: {spread(times)} s")


if __name__ == "__main__":
    main()
