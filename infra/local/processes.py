"""Start and stop the local environment's processes by pid, with a pidfile and a log each.

Every process is started detached (its own session) so it outlives `vaultctl local up`; `down` and
the tests stop exactly the pids recorded here, never by name. A pidfile also records a marker that must
appear in the process's command line, so a recycled pid of an unrelated program is never signalled.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from infra.local.ports import alive
from infra.local.state import State

# Popen objects of children this Python process started, so they are reaped (no zombies in tests).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class Managed:
    name: str
    pid: int
    marker: str


def _pidfile(state: State, name: str) -> Path:
    return state.pids / f"{name}.pid"


def log_path(state: State, name: str) -> Path:
    return state.logs / f"{name}.log"


def start(
    state: State,
    name: str,
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | None = None,
    marker: str | None = None,
    user: str | None = None,
) -> Managed:
    """Start `argv` detached; stdout+stderr append to logs/NAME.log; record pid + marker."""
    state.logs.mkdir(parents=True, exist_ok=True)
    state.pids.mkdir(parents=True, exist_ok=True)
    existing = running(state, name)
    if existing:
        raise RuntimeError(f"{name} already runs as pid {existing.pid}")
    marker = marker or argv[-1]
    with open(log_path(state, name), "ab") as log:
        kwargs: dict = {}
        if user:
            # Drop root's supplementary groups too: the server must hold only its own user's rights.
            kwargs = {"user": user, "group": _primary_group(user), "extra_groups": []}
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
            **kwargs,
        )
    _CHILDREN[proc.pid] = proc
    managed = Managed(name, proc.pid, marker)
    _pidfile(state, name).write_text(json.dumps({"pid": proc.pid, "marker": marker}) + "\n")
    return managed


def _primary_group(user: str) -> int:
    import pwd

    return pwd.getpwnam(user).pw_gid


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def running(state: State, name: str) -> Managed | None:
    """The recorded process if it is still alive and still ours (marker in its command line)."""
    path = _pidfile(state, name)
    if not path.is_file():
        return None
    record = json.loads(path.read_text())
    pid, marker = int(record["pid"]), str(record["marker"])
    if not alive(pid):
        return None
    if Path("/proc").is_dir() and marker not in _cmdline(pid):
        return None  # the pid was recycled by another program: not ours to touch
    return Managed(name, pid, marker)


def names(state: State) -> list[str]:
    return sorted(p.stem for p in state.pids.glob("*.pid")) if state.pids.is_dir() else []


def _reap(pid: int, timeout: float) -> bool:
    proc = _CHILDREN.get(pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.05)
        if not alive(pid):
            _CHILDREN.pop(pid, None)
            return True
        time.sleep(0.05)
    return False


def stop(state: State, name: str, sig: int = signal.SIGTERM, timeout: float = 15.0) -> bool:
    """Signal the recorded process, wait for it to exit (SIGKILL after `timeout`); forget its pidfile.

    Returns False when there was nothing of ours to stop.
    """
    managed = running(state, name)
    path = _pidfile(state, name)
    if managed is None:
        path.unlink(missing_ok=True)
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(managed.pid, sig)
    if not _reap(managed.pid, timeout):
        with contextlib.suppress(ProcessLookupError):
            os.kill(managed.pid, signal.SIGKILL)
        _reap(managed.pid, 5.0)
    path.unlink(missing_ok=True)
    return True


def kill9(state: State, name: str) -> int:
    """SIGKILL the process (a crash, for the failover tests); returns its pid."""
    managed = running(state, name)
    if managed is None:
        raise RuntimeError(f"{name} is not running")
    os.kill(managed.pid, signal.SIGKILL)
    _reap(managed.pid, 5.0)
    _pidfile(state, name).unlink(missing_ok=True)
    return managed.pid


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A minimal environment: no BAO_*/VAULT_* leaks from the operator's shell.

    The transit seal takes VAULT_ADDR/BAO_ADDR from the environment over its config, so an inherited
    address would point a node's seal at some other server.
    """
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")}
    env.update(extra or {})
    return env
