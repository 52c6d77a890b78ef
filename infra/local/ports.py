"""Free loopback ports, and proof that the process listening on one is ours.

Another program may already hold a "usual" port (18200 was taken once on these machines: docs/facts.md#ports-taken), so
ports are picked at run time and, before anything is sent to them, the listening socket is matched to
the pid we started (Linux /proc; elsewhere the check is skipped).
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from pathlib import Path

LOOPBACK = "127.0.0.1"


# Every port this process handed out: two callers (the nodes' ports, then the IdP's later on) must
# never get the same one, which the kernel would happily do once the first caller's probe socket closed.
_HANDED_OUT: set[int] = set()


def free_ports(count: int) -> list[int]:
    """`count` distinct ports free on 127.0.0.1 right now, none handed out before by this process.

    The probe sockets are held open together (so the kernel gives distinct ports) and closed on return:
    the caller's server binds them next.
    """
    sockets: list[socket.socket] = []
    picked: list[int] = []
    try:
        while len(picked) < count:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sockets.append(sock)  # a port seen before stays held too, so the kernel moves on
            sock.bind((LOOPBACK, 0))
            port = int(sock.getsockname()[1])
            if port not in _HANDED_OUT:
                picked.append(port)
        _HANDED_OUT.update(picked)
        return picked
    finally:
        for sock in sockets:
            sock.close()


def is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As the servers themselves do: connections of a just-stopped server in TIME_WAIT must not
        # make its port look taken; only a live listener does.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    table = Path("/proc/net/tcp")
    if not table.is_file():
        return inodes
    want = f"0100007F:{port:04X}"  # 127.0.0.1, little-endian hex, as the kernel prints it
    for line in table.read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == want and fields[3] == "0A":  # 0A: LISTEN
            inodes.add(fields[9])
    return inodes


def listener_pid(port: int) -> int | None:
    """The pid holding the LISTEN socket on 127.0.0.1:port, or None (not listening / not visible)."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    targets = {f"socket:[{inode}]" for inode in inodes}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (entry / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in targets:
                        return int(entry.name)
    return None


def listener_is(port: int, pid: int) -> bool:
    """True when `pid` (or, where /proc is missing, anything) listens on the port."""
    if not Path("/proc/net/tcp").is_file():
        return not is_free(port)
    return listener_pid(port) == pid


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped."""
    stat = Path(f"/proc/{pid}/stat")
    if stat.is_file():
        with contextlib.suppress(OSError):
            # The state letter follows the command name in parentheses, which may contain spaces.
            return stat.read_text().rpartition(")")[2].split()[0] != "Z"
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait_listening(port: int, pid: int, timeout: float = 20.0) -> None:
    """Wait until our process listens on the port; fail if someone else does or it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        owner = listener_pid(port) if Path("/proc/net/tcp").is_file() else (None if is_free(port) else pid)
        if owner == pid:
            return
        if owner is not None and owner != pid:
            raise RuntimeError(f"127.0.0.1:{port} is held by pid {owner}, not by our process {pid}")
        if not alive(pid):
            raise RuntimeError(f"process {pid} exited before listening on 127.0.0.1:{port}")
        time.sleep(0.1)
    raise TimeoutError(f"process {pid} did not listen on 127.0.0.1:{port} within {timeout:.0f}s")
