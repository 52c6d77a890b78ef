"""Plan overhead: `vaultctl plan --stack prod` against the SDK import floor, measured in the same run.

Usage: python bench/plan_overhead.py [--stack prod] [--runs 5]

Any `pulumi preview` of this program pays for importing the Pulumi SDK modules it uses (GCP,
Kubernetes, Vault, TLS); that is the floor. Everything above it is ours to cut: our own imports
(config model, harness, rules, the HCL parser), the program's run under mocks, the policy findings,
printing, garbage collection.

Each run, in fresh interpreters, interleaved so machine load hits all alike:
  interpreter   `python -c pass`
  plan          `python -m infra.cli plan --stack STACK` (stdout discarded): what a user waits for
  traced plan   the same under `-X importtime`, in-process timers around each part (this file's
                --one mode); the SDK modules' own import time is summed from the importtime lines
                (every module under pulumi, pulumi_gcp, pulumi_kubernetes, pulumi_vault, pulumi_tls)
floor = interpreter + SDK imports (of the traced plan, SDK dependencies included); ratio = traced plan
wall / floor, both from the same process so that other load on the machine inflates both alike (the
plain plan's wall over the same floor is printed too).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import statistics
import subprocess
import sys
import time

from _common import REPO

SDK = ("pulumi", "pulumi_gcp", "pulumi_kubernetes", "pulumi_vault", "pulumi_tls", "pulumi_policy")


def _wall(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: the stack has a policy violation; still a full plan
        raise RuntimeError(f"{argv} -> {done.returncode}\n{done.stderr[-3000:]}")
    return wall, done


def import_split(stderr: str) -> tuple[float, float]:
    """(SDK, other) seconds of import self-time from `-X importtime` lines.

    SDK time is every module of the SDK packages plus everything first imported underneath one of
    them (grpc, protobuf, opentelemetry, dill, ... are the SDK's own dependencies: any preview pays
    them too). importtime prints a module after the modules it imported, one indent level deeper.
    """
    pending: list[tuple[int, float, float]] = []  # finished subtrees: (depth, SDK seconds, other)
    for line in stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+\d+ \|( *)(\S+)", line)
        if not m:
            continue
        depth, seconds, name = len(m.group(2)), int(m.group(1)) / 1e6, m.group(3)
        children = [p for p in pending if p[0] > depth]
        pending = [p for p in pending if p[0] <= depth]
        if name.split(".")[0] in SDK:
            pending.append((depth, seconds + sum(c[1] + c[2] for c in children), 0.0))
        else:
            pending.append((depth, sum(c[1] for c in children), seconds + sum(c[2] for c in children)))
    return sum(p[1] for p in pending), sum(p[2] for p in pending)


def one(stack: str) -> None:
    """The traced plan: timers around our imports, the program, the findings and the rest."""
    t0 = time.perf_counter()
    import gc

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
    rows: list[dict[str, float]] = []
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    for run in range(args.runs):
        interp, _ = _wall([py, "-c", "pass"])
        plan, _ = _wall([py, "-m", "infra.cli", "plan", "--stack", args.stack])
        traced_wall, traced = _wall([py, "-X", "importtime", __file__, "--one", args.stack])
        inner = json.loads(traced.stdout.strip().splitlines()[-1])
        sdk, other = import_split(traced.stderr)
        row = {
            "interpreter": interp,
            "plan": plan,
            "traced": traced_wall,
            "sdk_imports": sdk,
            "other_imports": other,
            "floor": interp + sdk,
            # Within one process (same load for both parts): the steadier figure on a shared machine.
            "ratio": traced_wall / (interp + sdk),
            "ratio_plain": plan / (interp + sdk),
            **{k: v for k, v in inner.items() if k != "code"},
        }
        rows.append(row)
        print(
            f"run {run + 1}: plan {plan:.2f}s, traced {traced_wall:.2f}s, floor {row['floor']:.2f}s (interpreter "
            f"{interp:.2f} + SDK imports {sdk:.2f}), ratio {row['ratio']:.2f}x (plain {row['ratio_plain']:.2f}x); "
            f"traced: other imports {other:.2f}, program {row['program']:.2f} "
            f"(incl. SDK imports), findings {row['findings']:.2f}, gc {row['gc']:.2f}",
            flush=True,
        )
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(f"\nmedians of {args.runs} runs, stack {args.stack}:")
    print(f"  plan (wall)            {med['plan']:.2f} s   traced plan (wall) {med['traced']:.2f} s")
    print(
        f"  floor                  {med['floor']:.2f} s  (interpreter {med['interpreter']:.2f} + SDK imports {med['sdk_imports']:.2f})"
    )
    print(
        f"  ratio traced / floor   {med['ratio']:.2f}x   (min {min(r['ratio'] for r in rows):.2f}, max "
        f"{max(r['ratio'] for r in rows):.2f}); plain plan / floor {med['ratio_plain']:.2f}x"
    )
    print("  traced plan, in-process parts:")
    print(f"    our imports + HCL grammar   {med['ours_imports']:.2f} s")
    print(
        f"    program under mocks         {med['program'] - med['sdk_imports']:.2f} s  (its wall {med['program']:.2f} minus SDK imports)"
    )
    print(f"    policy findings (rules)     {med['findings']:.2f} s")
    print(f"    garbage collection (all)    {med['gc']:.2f} s")
    print(f"    all non-SDK import time     {med['other_imports']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
