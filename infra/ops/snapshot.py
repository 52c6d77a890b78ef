"""Raft snapshots: save from the leader, restore (optionally forced into a fresh cluster).

Works against any cluster given an address, CA and token (`from_env` reads VAULT_ADDR/BAO_ADDR,
VAULT_CACERT/BAO_CACERT, VAULT_TOKEN/BAO_TOKEN), so `vaultctl snapshot save|restore`, the local
environment and the disaster-recovery test share it. TLS is always verified: VAULT_SKIP_VERIFY is
refused, a mistake public backup scripts make.

A snapshot is only as good as the seal key that wraps it: restoring into a cluster sealed by another
key leaves it sealed (docs/facts.md#restore-needs-the-same-key). Restore answers at once but applies in the background, so `restore`
waits until a marker path the caller names is readable again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import hvac


@dataclass(frozen=True)
class Snapshot:
    path: Path
    sha256: str
    size: int


def from_env() -> hvac.Client:
    env = os.environ
    if (env.get("VAULT_SKIP_VERIFY") or env.get("BAO_SKIP_VERIFY") or "").lower() in ("1", "true"):
        raise RuntimeError("VAULT_SKIP_VERIFY is set: snapshots are never taken without verifying TLS")
    address = env.get("VAULT_ADDR") or env.get("BAO_ADDR")
    if not address:
        raise RuntimeError("set VAULT_ADDR (and VAULT_CACERT, VAULT_TOKEN)")
    ca = env.get("VAULT_CACERT") or env.get("BAO_CACERT")
    return hvac.Client(
        url=address,
        token=env.get("VAULT_TOKEN") or env.get("BAO_TOKEN"),
        verify=ca if ca else True,
        timeout=60,
    )


def save(client: hvac.Client, path: Path) -> Snapshot:
    """Stream a snapshot to `path` (0600, written then renamed: never a half file) plus `path.sha256`."""
    response = client.sys.take_raft_snapshot()
    response.raise_for_status()
    digest = hashlib.sha256()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    size = 0
    with os.fdopen(fd, "wb") as handle:
        for chunk in response.iter_content(chunk_size=1 << 16):
            handle.write(chunk)
            digest.update(chunk)
            size += len(chunk)
    if size == 0:
        partial.unlink()
        raise RuntimeError("the server returned an empty snapshot")
    partial.replace(path)
    path.with_name(path.name + ".sha256").write_text(f"{digest.hexdigest()}  {path.name}\n")
    return Snapshot(path, digest.hexdigest(), size)


def verify_checksum(path: Path) -> str:
    """The file's sha256; raises if a `.sha256` sidecar exists and disagrees (a corrupt copy)."""
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    sidecar = path.with_name(path.name + ".sha256")
    if sidecar.is_file() and sidecar.read_text().split()[0] != actual:
        raise RuntimeError(f"{path}: checksum mismatch with {sidecar.name}; refusing to restore")
    return actual


def restore(
    client: hvac.Client,
    path: Path,
    *,
    force: bool = False,
    ready: Callable[[], bool] | None = None,
    timeout: float = 60.0,
) -> None:
    """Restore `path`. `force` is needed into a different cluster (a fresh one after a disaster).

    `ready` is polled until True (e.g. "a secret written before the snapshot reads back"); the
    restore is applied in the background and took ~5.6 s here (docs/facts.md#restore-in-background).
    """
    verify_checksum(path)
    data = path.read_bytes()
    if force:
        response = client.sys.force_restore_raft_snapshot(data)
    else:
        response = client.sys.restore_raft_snapshot(data)
    if hasattr(response, "raise_for_status"):
        response.raise_for_status()
    if ready is None:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # The cluster re-seals/re-elects while applying: errors mean "not yet".
        with contextlib.suppress(Exception):
            if ready():
                return
        time.sleep(0.5)
    raise TimeoutError(f"snapshot {path.name} did not become readable within {timeout:.0f}s")
