"""The other side of `--against REF`: REF's tree, extracted from git and run in a child interpreter.

`git archive` (read-only: no worktree registration left behind in the shared repository) into a temp
directory; the child runs `emit.py`'s source with that tree first on `sys.path` and isolated mode on
(no PYTHONPATH, no cwd on the path), and refuses to answer if any project module came from elsewhere
(the editable install maps `infra` to the working tree). The child starts before the working tree's
run, so the two SDK imports (most of a run's time) overlap on two cores.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from infra.plan import emit

CHILD_TIMEOUT_S = 900  # a run takes ~10 s; this only stops a program that hangs


class TreeError(RuntimeError):
    """REF cannot be read or its program did not run: the message says which and why."""


@dataclass(frozen=True)
class Ref:
    name: str  # as the user wrote it
    commit: str


def resolve(repo: Path, ref: str) -> Ref:
    if ref.startswith("-"):
        raise TreeError(f"{ref!r} is not a git ref")
    result = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        # --quiet silences only "unknown ref"; anything git still says (not a repository...) is the cause.
        cause = result.stderr.strip().splitlines()[-1:] or [
            f"{ref!r} is not a commit in {repo} (in CI, fetch it: actions/checkout fetch-depth)"
        ]
        raise TreeError(cause[0])
    return Ref(ref, result.stdout.strip())


def extract(repo: Path, commit: str, dest: Path) -> None:
    with subprocess.Popen(
        ["git", "-C", str(repo), "archive", "--format=tar", commit],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None
        with tarfile.open(fileobj=proc.stdout, mode="r|") as archive:
            archive.extractall(dest, filter="data")
        stderr = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise TreeError(f"git archive {commit}: {stderr.strip()}")


class Child:
    """REF's program running in a child interpreter; `result()` waits for its records."""

    def __init__(self, tree: Path, stack_file: Path, key: bytes, workdir: Path) -> None:
        self.out = workdir / "records.json"
        self._stderr: IO[bytes] = (workdir / "stderr.txt").open("wb")
        source = Path(emit.__file__).read_text()
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-c", source, str(tree), str(stack_file), str(self.out)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            cwd=tree,
        )
        assert self.proc.stdin is not None
        self.proc.stdin.write(key.hex().encode() + b"\n")
        self.proc.stdin.close()

    def result(self) -> list[dict[str, Any]]:
        try:
            code = self.proc.wait(timeout=CHILD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise TreeError(f"the program did not finish in {CHILD_TIMEOUT_S} s") from None
        finally:
            self._stderr.close()
        if code != 0 or not self.out.is_file():
            tail = Path(self._stderr.name).read_text(errors="replace").strip().splitlines()[-1:]
            raise TreeError(f"the program's interpreter exited {code}: {' '.join(tail)}")
        data = json.loads(self.out.read_text())
        if data.get("format") != emit.FORMAT:
            raise TreeError(f"record format {data.get('format')} (this vaultctl reads {emit.FORMAT})")
        if "error" in data:
            raise TreeError(data["error"])
        return list(data["resources"])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._stderr.close()


def other_stack_file(stack_file: Path, repo: Path, tree: Path) -> Path:
    """The stack file the other tree runs with: its own copy when the file is in the repository (a PR
    that adds a service changes it), else the same file (a stack override outside the repository)."""
    resolved = stack_file.resolve()
    if resolved.is_relative_to(repo.resolve()):
        return tree / resolved.relative_to(repo.resolve())
    return resolved


def workspace() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="vaultctl-plan-")
