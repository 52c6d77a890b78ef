"""`vaultctl snapshot save [--to PATH | gs://BUCKET/PATH] | restore PATH|gs://... [--force]`.

Against VAULT_ADDR with VAULT_CACERT (TLS always verified) and VAULT_TOKEN. Every snapshot is checked
before it is trusted: after `save` (so a bad one is never uploaded) and before `restore` (so a
corrupt copy is never sent to a cluster): the archive's own SHA256SUMS, and the `.sha256` sidecar when
there is one. `restore` into a different cluster (disaster recovery) needs `--force`, and only then is
the force endpoint used. The cluster the snapshot is restored into must be sealed by the SAME KMS key
(a different key leaves it sealed: docs/facts.md#restore-needs-the-same-key).

GCS goes through `gcloud storage` (operator credentials or Workload Identity; never a JSON key); a
`gs://.../` prefix ending in `/` means "the newest `.snap` object under it" (the scheduled job names
them `vault-raft-<UTC timestamp>.snap`, so the newest sorts last).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import hvac
import requests

from infra.ops import snapshot
from infra.ops.snapshot_archive import SnapshotIntegrityError, verify_archive
from infra.progress import Progress

GCLOUD_ENV = "VAULTCTL_GCLOUD"  # path of the gcloud binary; tests point it at a stand-in


def _gcloud() -> str:
    found = os.environ.get(GCLOUD_ENV) or shutil.which("gcloud")
    if not found:
        raise RuntimeError("gs:// needs the Google Cloud CLI (`gcloud`) on PATH")
    return found


def _gcloud_run(*args: str) -> str:
    proc = subprocess.run([_gcloud(), "storage", *args], capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"gcloud storage {args[0]} failed: {proc.stderr.strip()}")
    return proc.stdout


def default_name() -> str:
    return f"vault-raft-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.snap"


def resolve_gcs(url: str) -> str:
    """A `gs://bucket/prefix/` resolves to the newest `.snap` under it; an object URL stays as is."""
    if not url.endswith("/"):
        return url
    listing = [line.strip() for line in _gcloud_run("ls", url).splitlines() if line.strip().endswith(".snap")]
    if not listing:
        raise RuntimeError(f"no .snap objects under {url}")
    return sorted(listing)[-1]


def _check(path: Path) -> str:
    snapshot.verify_checksum(path)  # the sidecar, if any
    info = verify_archive(path)
    return f"index {info.index}, term {info.term}, files {', '.join(sorted(info.files))}"


def save(client: hvac.Client, to: str | None) -> int:
    started = time.monotonic()
    if to and to.startswith("gs://"):
        with tempfile.TemporaryDirectory(prefix="vaultctl-snap-") as tmp:
            name = default_name() if to.endswith("/") else to.rsplit("/", 1)[1]
            local = Path(tmp) / name
            taken = snapshot.save(client, local)
            detail = _check(local)
            target = to + name if to.endswith("/") else to
            _gcloud_run("cp", "--no-user-output-enabled", str(local), target)
            _gcloud_run("cp", "--no-user-output-enabled", str(local) + ".sha256", target + ".sha256")
        print(f"snapshot saved to {target} ({taken.size} bytes, sha256 {taken.sha256}; {detail})")
    else:
        path = Path(to) if to else Path(default_name())
        if path.is_dir():
            path = path / default_name()
        taken = snapshot.save(client, path)
        detail = _check(path)
        print(f"snapshot saved to {path} ({taken.size} bytes, sha256 {taken.sha256}; {detail})")
    print(f"took {time.monotonic() - started:.1f}s")
    return 0


def healthy_voters(client: hvac.Client) -> list[str]:
    state = client.adapter.get("/v1/sys/storage/raft/autopilot/state")["data"]
    servers = state.get("servers") or {}
    return sorted(
        sid for sid, s in servers.items() if s.get("status") in ("voter", "leader") and s.get("healthy")
    )


def wait_for_peers(client: hvac.Client, expect: int | None, timeout: float) -> list[str]:
    """Block until every node is a healthy voter. A forced restore sent while followers are still
    joining left them sealed non-voters for good on OpenBao 2.7 ("stored unseal keys are supported,
    but none were found"): restore only into a settled cluster."""
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while time.monotonic() < deadline:
        with contextlib.suppress(hvac.exceptions.VaultError, requests.RequestException, KeyError):
            state = client.adapter.get("/v1/sys/storage/raft/autopilot/state")["data"]
            servers = state.get("servers") or {}
            seen = healthy_voters(client)
            if servers and len(seen) == len(servers) and (expect is None or len(seen) >= expect):
                return seen
        time.sleep(1)
    raise TimeoutError(
        f"the cluster did not settle within {timeout:.0f}s ({len(seen)} healthy voters"
        f"{f', expected {expect}' if expect else ''}): start every node and wait before restoring"
    )


def restore(
    client: hvac.Client, source: str, force: bool, timeout: float, expect_peers: int | None = None
) -> int:
    started = time.monotonic()
    # A restore takes seconds to minutes (download, waiting for the cluster, applying): one line per
    # phase as it ends, a spinner in between on a terminal.
    progress = Progress("vaultctl snapshot restore", sys.stdout)
    with tempfile.TemporaryDirectory(prefix="vaultctl-snap-") as tmp:
        if source.startswith("gs://"):
            with progress.phase("download"):
                url = resolve_gcs(source)
                path = Path(tmp) / url.rsplit("/", 1)[1]
                _gcloud_run("cp", "--no-user-output-enabled", url, str(path))
                # The scheduled job uploads no sidecar; a manual `save` does. Fetch it when it exists.
                with contextlib.suppress(RuntimeError):
                    _gcloud_run("cp", "--no-user-output-enabled", url + ".sha256", str(path) + ".sha256")
            print(f"downloaded {url}")
        else:
            path = Path(source)
            if not path.is_file():
                print(f"vaultctl snapshot: no such file {path}", file=sys.stderr)
                return 2
        with progress.phase("integrity"):
            detail = _check(path)
        print(f"integrity ok: {detail}")
        if force:
            with progress.phase("settle"):
                voters = wait_for_peers(client, expect_peers, timeout)
            print(f"cluster settled: {len(voters)} healthy voters ({', '.join(voters)})")

        def active() -> bool:
            # Unauthenticated: after a forced restore the token that sent it belongs to the old
            # token store and is gone; the cluster must come back initialized and unsealed.
            status = client.sys.read_seal_status()
            return bool(status.get("initialized")) and not status.get("sealed")

        with progress.phase("restore"):
            snapshot.restore(client, path, force=force, ready=active, timeout=timeout)
    print(f"snapshot restored{' (forced)' if force else ''} in {time.monotonic() - started:.1f}s")
    print("next: `vaultctl verify --stack STACK` with an operator token from the restored data")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vaultctl snapshot", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    p = sub.add_parser("save", help="take a Raft snapshot from the cluster")
    p.add_argument(
        "--to", help="file, folder, gs://bucket/object or gs://bucket/prefix/ (default ./<timestamped>.snap)"
    )
    p = sub.add_parser("restore", help="restore a Raft snapshot into the cluster")
    p.add_argument("source", help="snapshot file, gs://bucket/object, or gs://bucket/prefix/ for the newest")
    p.add_argument(
        "--force",
        action="store_true",
        help="restore into a different cluster (disaster recovery); replaces ALL of its data",
    )
    p.add_argument("--timeout", type=float, default=120, help="seconds to wait for the cluster to come back")
    p.add_argument(
        "--expect-peers",
        type=int,
        help="with --force: wait for this many healthy Raft voters first (the stack's cluster.nodes)",
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        client = snapshot.from_env()
        if args.action == "save":
            return save(client, args.to)
        return restore(client, args.source, args.force, args.timeout, args.expect_peers)
    except SnapshotIntegrityError as err:
        print(f"vaultctl snapshot: integrity check failed, refusing: {err}", file=sys.stderr)
        return 1
    except (RuntimeError, TimeoutError, hvac.exceptions.VaultError, requests.RequestException) as err:
        print(f"vaultctl snapshot: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
