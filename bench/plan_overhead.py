"""Plan overhead: `vaultctl plan --stack prod` against the SDK import floor, measured in the same run.

Usage: python bench/plan_overhead.py [--stack prod] [--runs 5]

Any `pulumi preview` of this program pays for importing the Pulumi SDK modules it uses (GCP,
Kubernetes, Vault, TLS); that is the floor. Everything above it is ours to cut: our own imports
(config model, harness, rules, the HCL parser), the program's run under mocks, the policy findings,
printing, garbage collection.

Each run, in fresh interpreters, interleaved so machine load hits all alike:
  floor         imports exactly the SDK packages a plan of STACK executes (recorded once from a real
                plan: every package of pulumi, pulumi_gcp, pulumi_kubernetes, pulumi_vault and
                pulumi_tls that was loaded, in load order; lazily registered ones are forced), and
                their dependencies (grpc, protobuf, ...) with them: what any `pulumi preview` of this
                program pays before it runs a line of it
  plan          `python -m infra.cli plan --stack STACK` (stdout discarded): what a user waits for
  traced plan   the same with in-process timers around our imports, the program and the findings
                (this file's --one mode), for the breakdown
Wall time and CPU time (user+sys, from rusage) of each process; ratio = plan / floor. The CPU ratio is
the steadier one on a machine shared with other work.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Not bench/_common: it imports the local environment (and so the SDK) before the traced part starts.
REPO = Path(__file__).resolve().parents[1]

SDK = ("pulumi", "pulumi_gcp", "pulumi_kubernetes", "pulumi_vault", "pulumi_tls", "pulumi_policy")


def _wall(argv: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds, CPU seconds (user+sys of the child) and the finished process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if done.returncode not in (0, 1):  # 1: the stack has a policy violation; still a full plan
        raise RuntimeError(f"{argv[:4]} -> {done.returncode}\n{done.stderr[-3000:]}")
    return wall, cpu, done


RECORD = """
import contextlib, io, sys, types
from infra.cli import _main
with contextlib.redirect_stdout(io.StringIO()):
    _main(["plan", "--stack", sys.argv[1]])
for name, module in list(sys.modules.items()):
    # Executed packages only: a lazily registered, never loaded module is still a _LazyModule.
    if name.split(".")[0] in SDK and type(module).__name__ != "_LazyModule" and hasattr(module, "__path__"):
        print(name)
"""

# With the collector handled as `vaultctl` handles it (off while running, frozen at exit), so the floor
# is the import work itself: the collector's passes over the SDK heap are a cost we removed, not one a
# plan must pay.
FLOOR = """
import gc, importlib, sys
gc.disable()
for name in sys.argv[1:]:
    # Any attribute outside the introspection set makes a lazily imported SDK module execute.
    getattr(importlib.import_module(name), "_force_lazy_load", None)
gc.freeze()
"""


def sdk_packages(stack: str) -> list[str]:
    code = f"SDK = {SDK!r}\n" + RECORD
    out = subprocess.run(
        [sys.executable, "-c", code, stack], cwd=REPO, capture_output=True, text=True, check=True
    )
    return out.stdout.split()


def one(stack: str) -> None:
    """The traced plan: timers around our imports, the program, the findings and the rest."""
    t0 = time.perf_counter()
    import gc

    gc.disable()  # as `vaultctl` does first thing as a process (infra.cli.main with no argv)

    import hcl2.parser

    import infra.cli
    import infra.plan
    import policies.rules

    hcl2.parser.parser()  # the HCL grammar (cached on disk by python-hcl2), built once per process
    assert policies.rules
    t_ours = time.perf_counter()
    timers: dict[str, float] = {}

    def timed(name: str, fn: object) -> object:
        def wrapper(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)  # type: ignore[operator]
            finally:
                timers[name] = timers.get(name, 0.0) + time.perf_counter() - started

        return wrapper

    infra.plan.run_program = timed("program", infra.plan.run_program)  # type: ignore[assignment]
    infra.plan.findings_for = timed("findings", infra.plan.findings_for)  # type: ignore[assignment]
    gc_time = [0.0]
    gc_started: list[float] = []

    def on_gc(phase: str, _info: dict) -> None:
        if phase == "start":
            gc_started.append(time.perf_counter())
        elif gc_started:
            gc_time[0] += time.perf_counter() - gc_started.pop()

    gc.callbacks.append(on_gc)
    sys.argv = ["vaultctl", "plan", "--stack", stack]  # as the console script: main() with no argv
    with contextlib.redirect_stdout(io.StringIO()):
        code = infra.cli.main()
    t_end = time.perf_counter()
    print(
        json.dumps(
            {
                "code": code,
                "ours_imports": t_ours - t0,
                "program": timers.get("program", 0.0),
                "findings": timers.get("findings", 0.0),
                "gc": gc_time[0],
                "in_process": t_end - t0,
            }
        ),
        file=sys.__stdout__,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.one)
        return 0
    py = sys.executable
    packages = sdk_packages(args.stack)
    print(f"floor: {len(packages)} SDK packages executed by a plan of {args.stack}", flush=True)
    rows: list[dict[str, float]] = []
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    for run in range(args.runs):
        interp, _, _ = _wall([py, "-c", "pass"])
        floor, floor_cpu, _ = _wall([py, "-c", FLOOR, *packages])
        plan, plan_cpu, _ = _wall([py, "-m", "infra.cli", "plan", "--stack", args.stack])
        traced_wall, _, traced = _wall([py, __file__, "--one", args.stack])
        inner = json.loads(traced.stdout.strip().splitlines()[-1])
        row = {
            "interpreter": interp,
            "floor": floor,
            "floor_cpu": floor_cpu,
            "plan": plan,
            "plan_cpu": plan_cpu,
            "ratio": plan / floor,
            "ratio_cpu": plan_cpu / floor_cpu,
            "traced": traced_wall,
            **{k: v for k, v in inner.items() if k != "code"},
        }
        rows.append(row)
        print(
            f"run {run + 1}: plan {plan:.2f}s (cpu {plan_cpu:.2f}), floor {floor:.2f}s (cpu {floor_cpu:.2f}): "
            f"ratio {row['ratio']:.2f}x wall, {row['ratio_cpu']:.2f}x cpu; traced: our imports "
            f"{row['ours_imports']:.2f}, program {row['program']:.2f}, findings {row['findings']:.2f}, "
            f"gc {row['gc']:.2f}",
            flush=True,
        )
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(f"\nmedians of {args.runs} runs, stack {args.stack}:")
    print(f"  plan                   {med['plan']:.2f} s wall, {med['plan_cpu']:.2f} s cpu")
    print(f"  floor (SDK imports)    {med['floor']:.2f} s wall, {med['floor_cpu']:.2f} s cpu")
    print(f"  interpreter alone      {med['interpreter']:.2f} s wall")
    for key, label in (("ratio", "wall"), ("ratio_cpu", "cpu")):
        print(
            f"  ratio plan / floor     {med[key]:.2f}x {label} (min {min(r[key] for r in rows):.2f}, "
            f"max {max(r[key] for r in rows):.2f})"
        )
    print("  traced plan, in-process parts (wall):")
    print(
        f"    our imports + HCL grammar   {med['ours_imports']:.2f} s  (config model, harness, rules, lark)"
    )
    print(f"    program under mocks         {med['program']:.2f} s  (includes the SDK imports it triggers)")
    print(f"    policy findings (rules)     {med['findings']:.2f} s")
    print(f"    garbage collection          {med['gc']:.2f} s")
    print(
        f"    in-process total            {med['in_process']:.2f} s  (traced process wall {med['traced']:.2f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
