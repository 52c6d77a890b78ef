"""Free ports: distinct within one call, and never handed out twice by one process (two `_free_port()`
calls used to be able to return the same port once the first probe socket closed)."""

from __future__ import annotations

import socket
from typing import ClassVar

import pytest

from infra.local import ports


class _ScriptedSocket:
    """A socket whose bind(port 0) gets the next port of a script, as a kernel reusing ports would."""

    script: ClassVar[list[int]] = []
    held: ClassVar[set[int]] = set()

    def __init__(self, *args: object) -> None:
        self.port = 0

    def bind(self, address: tuple[str, int]) -> None:
        self.port = self.script.pop(0)
        assert self.port not in self.held, "the kernel never gives a port that is held open"
        self.held.add(self.port)

    def getsockname(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def close(self) -> None:
        self.held.discard(self.port)


@pytest.fixture
def kernel(monkeypatch: pytest.MonkeyPatch) -> type[_ScriptedSocket]:
    monkeypatch.setattr(ports, "_HANDED_OUT", set())
    monkeypatch.setattr(ports.socket, "socket", _ScriptedSocket)
    _ScriptedSocket.held = set()
    return _ScriptedSocket


def test_a_port_handed_out_before_is_skipped(kernel: type[_ScriptedSocket]) -> None:
    kernel.script = [5000, 5001, 5000, 5002, 5003]
    assert ports.free_ports(2) == [5000, 5001]
    # The kernel offers 5000 again once the probe sockets closed: a second caller must not get it.
    assert ports.free_ports(2) == [5002, 5003]
    assert kernel.held == set()  # every probe socket closed, the skipped one included


def test_real_ports_are_distinct_across_calls() -> None:
    seen = [port for _ in range(20) for port in ports.free_ports(2)]
    assert len(seen) == len(set(seen)) == 40
    with socket.socket() as sock:  # and really free
        sock.bind((ports.LOOPBACK, seen[-1]))
