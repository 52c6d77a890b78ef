"""How long the policy findings of `vaultctl plan --stack prod` take (issue 12: under ~0.3 s).

Runs the prod program once under mocks, then times `findings_for` over its resources: a cold pass (every
cache empty, as in a fresh `vaultctl plan` process) and warm passes (the pack's per-rule re-runs hit the
lint cache). `.venv/bin/python bench/policy_findings.py [--stack prod] [--runs 5]`
"""

from __future__ import annotations

import argparse
import statistics
import time

from infra.harness import run_program
from infra.plan import findings_for


def _clear_caches() -> None:
    from policies.rules import acl_model, acl_paths, lint, registry

    for cached in (lint._lint, acl_model._parse_cached, acl_paths.parse_pattern, acl_paths.reaches,
                   registry.rules_for_type):  # fmt: skip
        cached.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    resources = run_program(args.stack)
    policies = sum(1 for r in resources if r.type == "vault:index/policy:Policy")
    cold, warm = [], []
    for _ in range(args.runs):
        _clear_caches()
        start = time.perf_counter()
        findings = findings_for(resources)
        cold.append(time.perf_counter() - start)
        start = time.perf_counter()
        findings_for(resources)
        warm.append(time.perf_counter() - start)
    print(
        f"stack {args.stack}: {len(resources)} resources ({policies} policies), {len(findings)} findings; "
        f"cold median {statistics.median(cold) * 1000:.1f} ms (max {max(cold) * 1000:.1f}), "
        f"warm median {statistics.median(warm) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
