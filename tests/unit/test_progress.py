"""Long commands report each phase as it ends; a spinner only where a person watches a terminal."""

from __future__ import annotations

import io
import re
import threading
import time

import pytest

from infra.progress import Progress, is_interactive


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_one_plain_line_per_phase_as_it_ends() -> None:
    out, clock = io.StringIO(), _Clock()
    progress = Progress("vaultctl local", out, clock=clock)
    with progress.phase("kms"):
        clock.now += 2.14
        assert out.getvalue() == ""  # nothing until the phase ends: CI logs stay one line per phase
    progress.note("PostgreSQL not found")
    with progress.phase("nodes"):
        clock.now += 0.5
    assert out.getvalue().splitlines() == [
        "vaultctl local: kms 2.1s",
        "vaultctl local: PostgreSQL not found",
        "vaultctl local: nodes 0.5s",
    ]
    assert progress.phases == {"kms": pytest.approx(2.14), "nodes": pytest.approx(0.5)}
    assert progress.summary() == "2.6s (kms 2.1s, nodes 0.5s)"
    assert "\r" not in out.getvalue() and "\033" not in out.getvalue()


def test_a_failed_phase_says_so_and_is_not_counted() -> None:
    out, clock = io.StringIO(), _Clock()
    progress = Progress("p", out, clock=clock)
    with pytest.raises(RuntimeError), progress.phase("init"):
        clock.now += 3
        raise RuntimeError("boom")
    assert out.getvalue() == "p: init 3.0s (failed)\n"
    assert progress.phases == {}


def test_parallel_phases_each_print_their_own_line() -> None:
    out = io.StringIO()
    progress = Progress("up", out)

    def work(name: str, seconds: float) -> None:
        with progress.phase(name):
            time.sleep(seconds)

    threads = [threading.Thread(target=work, args=(n, s)) for n, s in (("kms", 0.05), ("postgres", 0.01))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = out.getvalue().splitlines()
    assert sorted(line.split()[1] for line in lines) == ["kms", "postgres"]
    assert lines[0].startswith("up: postgres")  # in the order they ended


def test_spinner_only_on_a_terminal_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert is_interactive(_Tty())
    assert not is_interactive(io.StringIO())
    assert not is_interactive(None)
    monkeypatch.setenv("CI", "true")
    assert not is_interactive(_Tty())


def test_the_spinner_shows_running_phases_and_clears_its_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    out = _Tty()
    progress = Progress("up", out, interval=0.01)
    with progress.phase("voters"):
        time.sleep(0.1)
    text = out.getvalue()
    assert "\r\033[K" in text and " up: voters 0s" in text  # the live line, redrawn in place
    # then erased and replaced by the result line
    assert re.search(r"\r\033\[Kup: voters \d+\.\ds\n$", text)


def test_silent_progress_records_without_printing() -> None:
    progress = Progress.silent()
    with progress.phase("x"):
        pass
    assert list(progress.phases) == ["x"]
