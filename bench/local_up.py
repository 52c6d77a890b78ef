"""Local bring-up: `vaultctl local up` on a fresh state (3 voters, configured), each speed lever's
share, and one `bao server -dev` start as the floor.

Usage: python bench/local_up.py [--runs 3] [--levers]
Each run is `vaultctl local --state TMP up` in a fresh interpreter and a fresh state folder (timed from
exec to exit, so interpreter start and imports count), then `down --wipe`. Its "up in" line gives the
phases. With --levers, the same runs again with one lever turned off at a time (in that interpreter
only: the bench flips a module constant before calling the CLI), so each lever's effect is measured
against everything else on:
  intervals      autopilot_reconcile_interval / autopilot_update_interval not rendered (10s / 2s)
  stabilization  server_stabilization_time left at its 10 s default
  parallel       KMS, PostgreSQL, TokenReview stand-in and the nodes started one after another
  join           joiners not told the leader (their retry_join finds it, every 2 s)
  restart        joiners not restarted once replicated (they unseal on OpenBao's 5 s retry)
  leader         restarted joiners not asked `sys/leader` (they find the active node on their own)
  overlap        apply waits for the voters instead of running while autopilot promotes
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

LEVERS = ("intervals", "stabilization", "parallel", "join", "restart", "leader", "overlap")


def _turn_off(lever: str) -> None:
    from infra.local import bootstrap, environment, nodes

    if lever == "intervals":
        nodes.AUTOPILOT_RECONCILE_INTERVAL = nodes.AUTOPILOT_UPDATE_INTERVAL = None
    elif lever == "stabilization":
        bootstrap.STABILIZATION = "10s"
    elif lever == "parallel":
        environment.START_IN_PARALLEL = False
    elif lever == "join":
        environment.JOIN_KNOWN_LEADER = False
    elif lever == "restart":
        environment.RESTART_JOINERS = False
    elif lever == "leader":
        environment.LOOK_UP_LEADER = False
    elif lever == "overlap":
        environment.APPLY_WHILE_PROMOTING = False
    else:
        raise SystemExit(f"unknown lever {lever!r} (levers: {', '.join(LEVERS)})")


def one_up(without: str | None) -> tuple[float, dict[str, float]]:
    root = Path(tempfile.mkdtemp(prefix="vaultctl-bench-up-"))
    argv = [sys.executable, __file__, "--one", str(root)] + (["--without", without] if without else [])
    try:
        started = time.monotonic()
        out = subprocess.run(argv, cwd=REPO, capture_output=True, text=True)
        total = time.monotonic() - started
        if out.returncode != 0:
            raise RuntimeError(f"vaultctl local up failed:\n{out.stdout}\n{out.stderr}")
        line = next(ln for ln in out.stdout.splitlines() if ln.startswith("up in "))
        phases = {m[0]: float(m[1]) for m in re.findall(r"(\w+) ([\d.]+)s", line.split("(", 1)[1])}
        return total, phases
    finally:
        subprocess.run(
            [sys.executable, "-m", "infra.cli", "local", "--state", str(root), "down", "--wipe"],
            cwd=REPO,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def series(label: str, runs: int, without: str | None) -> float:
    totals: list[float] = []
    phases: list[dict[str, float]] = []
    for run in range(runs):
        try:
            total, phase = one_up(without)
        except RuntimeError as err:  # reported, not fatal: the other runs still count
            tail = " | ".join(str(err).strip().splitlines()[-2:])
            print(f"  {label} run {run + 1}: FAILED: {tail}", flush=True)
            continue
        totals.append(total)
        phases.append(phase)
        print(f"  {label} run {run + 1}: {total:.1f}s {phase}", flush=True)
    if not totals:
        print(f"{label}: every run failed", flush=True)
        return float("nan")
    names = [n for n in phases[0] if all(n in p for p in phases)]
    medians = ", ".join(f"{n} {statistics.median(p[n] for p in phases):.1f}" for n in names)
    print(f"{label}: {spread(totals)} s; phases (median s): {medians}", flush=True)
    return statistics.median(totals)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--levers", action="store_true", help="also measure with each lever off")
    parser.add_argument("--without", help=argparse.SUPPRESS)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # a single `vaultctl local up`, in this fresh interpreter
        if args.without:
            _turn_off(args.without)
        from infra.cli import main as vaultctl

        sys.exit(vaultctl(["local", "--state", args.one, "up"]))

    devs = []
    for _ in range(args.runs):
        with dev_server() as (_addr, ready):
            devs.append(ready)
    print(f"bao server -dev: {spread(devs)} s", flush=True)
    baseline = series("all levers on", args.runs, None)
    print(f"ratio to bao server -dev (medians): {baseline / statistics.median(devs):.1f}x", flush=True)
    if args.levers:
        for lever in LEVERS:
            median = series(f"without {lever}", args.runs, lever)
            print(f"  -> {lever} saves {median - baseline:+.1f}s (median)", flush=True)


if __name__ == "__main__":
    main()
