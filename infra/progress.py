"""Progress of long commands: one line per phase with its elapsed time, as each phase ends.

`vaultctl local up`, `vaultctl snapshot restore` and the DR drill take from seconds to a minute; a user
(or a CI log) should see which phase runs and how long each took, not one summary at the end. On a
terminal a spinner line shows the phases still running and their time so far; anywhere else (CI, a
pipe, a file) only the plain finished-phase lines are written, so logs stay readable.

    progress = Progress("vaultctl local")
    with progress.phase("kms"):
        ...
    # -> "vaultctl local: kms 2.1s"

Phases may run at the same time in different threads (the local environment starts its services in
parallel); each one still prints its own line when it ends. `Progress.silent()` records the times
without printing (library callers and tests).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

_FRAMES = "|/-\\"


def is_interactive(stream: TextIO | None) -> bool:
    """A spinner only where a person watches a terminal: not in CI (CI=true) and not on TERM=dumb."""
    if stream is None or os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """Times named phases and reports each as it ends (see the module docstring)."""

    def __init__(
        self,
        prefix: str,
        stream: TextIO | None = sys.stderr,
        *,
        spinner: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        interval: float = 0.1,
    ) -> None:
        self.prefix = prefix
        self.stream = stream
        self.spinner = is_interactive(stream) if spinner is None else spinner
        self.clock = clock
        self.interval = interval
        self.started = clock()
        # Finished phases in the order they ended, with their seconds.
        self.phases: dict[str, float] = {}
        self._running: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._frame = 0

    @classmethod
    def silent(cls, prefix: str = "") -> Progress:
        return cls(prefix, None)

    def elapsed(self) -> float:
        return self.clock() - self.started

    def note(self, text: str) -> None:
        """A line that is not a phase (a warning, a decision), printed in order with the phases."""
        self._emit(f"{self.prefix}: {text}" if self.prefix else text)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        begin = self.clock()
        with self._lock:
            self._running[name] = begin
        self._start_spinner()
        ok = False
        try:
            yield
            ok = True
        finally:
            seconds = self.clock() - begin
            with self._lock:
                self._running.pop(name, None)
                if ok:
                    self.phases[name] = seconds
                idle = not self._running
            if idle:
                self._stop_spinner()
            self._emit(f"{self._label(name)} {seconds:.1f}s" + ("" if ok else " (failed)"))

    def summary(self) -> str:
        """`total 8.2s (kms 2.1s, nodes 0.7s, ...)`: the finished phases in the order they ended."""
        parts = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in self.phases.items())
        return f"{self.elapsed():.1f}s ({parts})"

    # ------------------------------------------------------------------ output

    def _label(self, name: str) -> str:
        return f"{self.prefix}: {name}" if self.prefix else name

    def _emit(self, line: str) -> None:
        if self.stream is None:
            return
        with self._lock:
            if self.spinner:
                self.stream.write("\r\033[K")  # erase the spinner line, then print above it
            self.stream.write(line + "\n")
            self.stream.flush()

    def _start_spinner(self) -> None:
        if not self.spinner or self.stream is None:
            return
        with self._lock:
            if self._thread is not None:
                return
            # A fresh event per spinner thread: a stopping one never sees a later start's state.
            self._stop = threading.Event()
            self._thread = threading.Thread(
                target=self._spin, args=(self._stop,), name="progress", daemon=True
            )
            self._thread.start()

    def _stop_spinner(self) -> None:
        with self._lock:
            thread, self._thread, stop = self._thread, None, self._stop
        if thread is None:
            return
        stop.set()
        thread.join()

    def _spin(self, stop: threading.Event) -> None:
        assert self.stream is not None
        while not stop.wait(self.interval):
            with self._lock:
                now = self.clock()
                running = ", ".join(f"{n} {now - t:.0f}s" for n, t in self._running.items())
                self._frame = (self._frame + 1) % len(_FRAMES)
                self.stream.write(f"\r\033[K{_FRAMES[self._frame]} {self._label(running)}")
                self.stream.flush()
