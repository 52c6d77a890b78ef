"""Shared bits of the bench scripts: a throwaway local environment, a dev-mode baseline node, stats."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from infra.local import environment, processes  # noqa: E402
from infra.local.environment import Environment  # noqa: E402
from infra.local.kms import bao_binary  # noqa: E402
from infra.local.ports import free_ports  # noqa: E402
from infra.local.state import State  # noqa: E402

DEV_TOKEN = "bench-dev-root"  # noqa: S105 - a throwaway dev-mode token on loopback


def spread(values: list[float]) -> str:
    """median, min-max of a list of seconds (or anything)."""
    return f"median {statistics.median(values):.2f} (min {min(values):.2f}, max {max(values):.2f}, n={len(values)})"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@contextmanager
def local_env(prefix: str = "vaultctl-bench-") -> Iterator[Environment]:
    """`environment.up` in a fresh temporary state folder; always `down` + wipe, and no leftovers."""
    # Not under a 0700 parent: PostgreSQL runs unprivileged and must traverse to its data directory.
    root = Path(tempfile.mkdtemp(prefix=prefix))
    state = State(root)
    try:
        yield environment.up(state)
    finally:
        environment.down(state)
        leftovers = [name for name in processes.names(state) if processes.running(state, name)]
        shutil.rmtree(root, ignore_errors=True)
        if leftovers:
            raise RuntimeError(f"processes left running: {leftovers}")


@contextmanager
def dev_server() -> Iterator[tuple[str, float]]:
    """A single `bao server -dev` on a free loopback port (plain HTTP, in-memory); yields its address and
    the seconds from exec to the first 200 on sys/health. Stopped (and reaped) on exit."""
    port = free_ports(2)
    home = Path(tempfile.mkdtemp(prefix="bench-dev-"))
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home)}
    argv = [
        bao_binary(),
        "server",
        "-dev",
        f"-dev-listen-address=127.0.0.1:{port[0]}",
        f"-dev-root-token-id={DEV_TOKEN}",
    ]
    address = f"http://127.0.0.1:{port[0]}"
    started = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        session = requests.Session()
        while True:
            try:
                if session.get(f"{address}/v1/sys/health", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.monotonic() - started > 30:
                raise RuntimeError("bao server -dev did not become healthy")
            time.sleep(0.01)
        yield address, time.monotonic() - started
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(home, ignore_errors=True)
