"""Plan time vs catalog size: the program under mocks (as `vaultctl plan`) for N services.

Usage: python bench/plan_scale.py [--sizes 10,100,1000] [--runs 5]
Each run is a fresh interpreter (imports excluded from the timing), so runs don't share state.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import subprocess
import sys
import time
from typing import Any

from infra.harness import read_stack_config


def catalog(size: int) -> list[dict[str, Any]]:
    """Services shaped like the shipped ones: a Kubernetes identity, own KV, a DB role, a transit grant."""
    services = []
    for i in range(size):
        name = f"svc-{i:04d}"
        service: dict[str, Any] = {
            "name": name,
            "kubernetes": {"namespace": f"ns-{i:04d}", "service_account": name},
            "kv": {"own": "read", "ai_providers": ["openai"] if i % 2 else []},
            "database_role": "readonly" if i % 3 else "readwrite",
            "transit": [{"key": "billing-pii", "operations": ["encrypt"]}],
        }
        if i % 10 == 0:
            service["github"] = {"repository": f"acme/repo-{i:04d}", "refs": ["refs/heads/main"]}
        services.append(service)
    return services


def one_run(size: int) -> dict[str, float]:
    from infra.harness import gc_paused, run_program
    from infra.plan import findings_for

    overrides = {"services": catalog(size)}
    start = time.perf_counter()
    with gc_paused():  # as `vaultctl plan` runs both (infra.cli._plan)
        resources = run_program("local", overrides)
        program = time.perf_counter() - start
        findings_for(resources)
    total = time.perf_counter() - start
    return {"resources": len(resources), "program_s": program, "total_s": total}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(one_run(args.one)))
        return 0
    read_stack_config("local")  # fail fast if the stack file is missing
    rows = {}
    for size in (int(s) for s in args.sizes.split(",")):
        runs = [
            json.loads(
                subprocess.run(
                    [sys.executable, __file__, "--one", str(size)], capture_output=True, text=True, check=True
                ).stdout
            )
            for _ in range(args.runs)
        ]
        totals = [r["total_s"] for r in runs]
        median = statistics.median(totals)
        rows[size] = median
        print(
            f"services={size:5d} resources={runs[0]['resources']:6d} "
            f"plan+policy median={median:7.2f}s min={min(totals):.2f} max={max(totals):.2f} "
            f"program median={statistics.median(r['program_s'] for r in runs):.2f}s "
            f"resources/s={runs[0]['resources'] / median:8.0f}"
        )
    sizes = sorted(rows)
    for small, large in itertools.pairwise(sizes):
        print(
            f"ratio {large}/{small} services: {rows[large] / rows[small]:.1f}x (linear: {large / small:.0f}x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
