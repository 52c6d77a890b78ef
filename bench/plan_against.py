"""Wall time of `vaultctl plan` alone vs `--against REF`, with REF's program in parallel or after.

Usage: python bench/plan_against.py [--stack prod] [--ref HEAD] [--runs 5]
Each run is a fresh interpreter timed from outside (imports included: that is what a user waits for).
"sequential" runs the same code as `--against`, but waits for REF's child before running the working
tree, to show what running the two at once buys on this machine.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sequential(stack: str, ref: str) -> int:
    """`plan --against`, but the working tree's program only starts once REF's has finished."""
    from infra.plan import trees

    original = trees.Child.__init__

    def start_and_wait(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        original(self, *args, **kwargs)
        self.proc.wait()

    trees.Child.__init__ = start_and_wait  # type: ignore[method-assign]
    from infra.plan import plan

    return plan(stack, io.StringIO(), sys.stderr, against=ref)


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its children): CPU does not depend on the load."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--ref", default="HEAD")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sequential", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sequential:
        return sequential(args.stack, args.ref)
    vaultctl = [str(Path(sys.executable).with_name("vaultctl")), "plan", "--stack", args.stack]
    modes = {
        "plan": vaultctl,
        "plan --against (parallel)": [*vaultctl, "--against", args.ref],
        "plan --against (sequential)": [
            sys.executable,
            __file__,
            "--sequential",
            "--stack",
            args.stack,
            "--ref",
            args.ref,
        ],
    }
    results: dict[str, list[tuple[float, float]]] = {mode: [] for mode in modes}
    for _ in range(args.runs):  # interleaved, so background load hits every mode alike
        for mode, command in modes.items():
            results[mode].append(timed(command))
    print(f"stack={args.stack} ref={args.ref} runs={args.runs} load(1m)={os.getloadavg()[0]:.1f}")
    for mode, samples in results.items():
        wall = [w for w, _ in samples]
        cpu = [c for _, c in samples]
        print(
            f"  {mode:30s} wall median={statistics.median(wall):6.2f}s min={min(wall):6.2f}s "
            f"max={max(wall):6.2f}s  cpu median={statistics.median(cpu):6.2f}s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
