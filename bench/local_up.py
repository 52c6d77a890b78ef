"""Local bring-up: `vaultctl local up` (3 voters, configured) vs one `bao server -dev` start, as a ratio.

Usage: python bench/local_up.py [--runs 3]
Each run: `vaultctl local --state TMP up` as a subprocess in a fresh state folder (its own "up in ..."
phase line is parsed), then `down --wipe`; and a dev node started until sys/health answers 200.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO, dev_server, spread

VAULTCTL = [str(Path(sys.executable).with_name("vaultctl"))]


def one_up() -> tuple[float, dict[str, float]]:
    root = Path(tempfile.mkdtemp(prefix="vaultctl-bench-up-"))
    try:
        started = time.monotonic()
        out = subprocess.run(
            [*VAULTCTL, "local", "--state", str(root), "up"], cwd=REPO, capture_output=True, text=True
        )
        total = time.monotonic() - started
        if out.returncode != 0:
            raise RuntimeError(f"vaultctl local up failed:\n{out.stdout}\n{out.stderr}")
        line = next(ln for ln in out.stdout.splitlines() if ln.startswith("up in "))
        phases = {m[0]: float(m[1]) for m in re.findall(r"(\w+) ([\d.]+)s", line.split("(", 1)[1])}
        return total, phases
    finally:
        subprocess.run(
            [*VAULTCTL, "local", "--state", str(root), "down", "--wipe"], cwd=REPO, capture_output=True
        )
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ups: list[float] = []
    devs: list[float] = []
    phases: list[dict[str, float]] = []
    for run in range(args.runs):
        with dev_server() as (_addr, ready):
            devs.append(ready)
        total, phase = one_up()
        ups.append(total)
        phases.append(phase)
        print(f"run {run + 1}: up {total:.1f}s {phase}  dev {ready:.2f}s", flush=True)
    print(f"vaultctl local up: {spread(ups)} s")
    print(f"bao server -dev:   {spread(devs)} s")
    print(f"ratio (medians):   {statistics.median(ups) / statistics.median(devs):.1f}x")
    names = list(phases[0])
    print(
        "phases (median s): " + ", ".join(f"{n} {statistics.median(p[n] for p in phases):.2f}" for n in names)
    )


if __name__ == "__main__":
    main()
