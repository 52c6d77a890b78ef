"""Serving, measured like a server: `wrk` (C, Debian) drives the 3-node TLS cluster's active node with KV v2
reads and writes at 1, 4 and 16 connections; client p50/p99 and throughput are reported next to the
server's own `vault_core_handle_request` quantiles from `/v1/sys/metrics`, and the CPU each process
used, so what bounds a row is measured rather than guessed.

Usage: python bench/serving.py [--duration 10] [--connections 1,4,16] [--pin]
Needs wrk: `bash scripts/setup.sh --bench` installs it (Debian package `wrk`).

- The local stack's `global` rate-limit quota (500 req/s) would cap every row: the bench LIFTS it for
  the run (rate 1,000,000; restored afterwards) and says so, after measuring it once on its own (reads
  at 16 connections with the quota in place: the 429s are the quota working).
- Reads: GET of one pre-written secret. Writes: POST of a new key each time with `cas=0` (the mount
  requires check-and-set). Keep-alive connections; TLS 1.3 to the active node. wrk does not verify
  the certificate (loopback only; the servers' TLS is what is measured).
- Server side: the active node's `vault_core_handle_request` summary (quantiles over its recent
  window) read right after each run, plus the run's own mean from the _sum/_count deltas.
- CPU: seconds of CPU each process used during the run (/proc/PID/stat; wrk via its rusage), divided
  by the run's wall time = cores used. Two cores in all: when the sum is ~2.0 the row is CPU-bound.
- `--pin` repeats the matrix with the servers on CPU 0 and wrk on CPU 1 (`taskset`), to show what
  sharing the cores costs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests
from _common import local_env

from infra.local import bootstrap, processes
from infra.local.environment import Environment

LUA = Path(__file__).with_name("wrk") / "kv.lua"
QUOTA = "global"
LIFTED_RATE = 1_000_000
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def server_quantiles(address: str, ca: str) -> dict[str, float]:
    text = requests.get(f"{address}/v1/sys/metrics?format=prometheus", verify=ca, timeout=10).text
    found: dict[str, float] = {}
    for line in text.splitlines():
        m = re.match(r'vault_core_handle_request\{quantile="([\d.]+)"\} ([\d.eE+-]+|NaN)', line)
        if m and m.group(2) != "NaN":
            found[f"q{m.group(1)}"] = float(m.group(2))
        m = re.match(r"vault_core_handle_request_(sum|count) ([\d.eE+-]+)", line)
        if m:
            found[m.group(1)] = float(m.group(2))
    return found


def wrk(
    env: Environment, token: str, mode: str, connections: int, duration: float, pin: bool
) -> dict[str, Any]:
    leader = env.leader()
    names = [n.name for n in env.nodes] + ["kms"]
    pids = {name: m.pid for name in names if (m := processes.running(env.state, name))}
    ca = str(env.ca_cert)
    threads = min(connections, 2)
    argv = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{round(duration)}s",
        "--timeout",
        "5s",
        "-s",
        str(LUA),
        leader.api_addr,
    ]
    if pin:
        argv = ["taskset", "-c", "1", *argv]
    run_env = {
        **os.environ,
        "MODE": mode,
        "MOUNT": env.cfg.kv.path,
        "VAULT_TOKEN": token,
        "RUN": f"{time.time_ns()}",
    }
    before_metrics = server_quantiles(leader.api_addr, ca)
    before_cpu = {name: cpu_seconds(pid) for name, pid in pids.items()}
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    out = subprocess.run(argv, env=run_env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed: {out.stdout}{out.stderr}")
    wall = time.monotonic() - started
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cores = {name: (cpu_seconds(pid) - before_cpu[name]) / wall for name, pid in pids.items()}
    cores["wrk"] = (
        after_children.ru_utime
        - before_children.ru_utime
        + after_children.ru_stime
        - before_children.ru_stime
    ) / wall
    after = server_quantiles(leader.api_addr, ca)
    client = json.loads(out.stdout.strip().splitlines()[-1])
    count = after.get("count", 0) - before_metrics.get("count", 0)
    return {
        "mode": mode,
        "connections": connections,
        "rps": client["requests"] / (client["duration_us"] / 1e6),
        "p50": client["p50_us"] / 1000,
        "p99": client["p99_us"] / 1000,
        "errors": client["non2xx"] + client["timeout"] + client["connect"] + client["read"],
        "non2xx": client["non2xx"],
        "server_p50": after.get("q0.5", float("nan")),
        "server_p99": after.get("q0.99", float("nan")),
        "server_mean": (after.get("sum", 0) - before_metrics.get("sum", 0)) / count
        if count
        else float("nan"),
        "cores": cores,
        "leader": leader.name,
    }


def set_quota(env: Environment, token: str, rate: float) -> float:
    """Set the global quota's rate; returns the previous rate."""
    client = env.root_client()
    client.token = token
    path = f"/v1/sys/quotas/rate-limit/{QUOTA}"
    current = client.adapter.get(path)["data"]
    client.adapter.post(path, json={"rate": rate, "interval": current.get("interval") or "1s"})
    return float(current["rate"])


def pin_servers(env: Environment) -> None:
    for name in [n.name for n in env.nodes] + ["kms", "postgres", "tokenreview"]:
        managed = processes.running(env.state, name)
        if managed:
            subprocess.run(["taskset", "-a", "-cp", "0", str(managed.pid)], capture_output=True, check=True)


def row(r: dict[str, Any], label: str = "") -> str:
    cores = r["cores"]
    followers = sum(v for k, v in cores.items() if k.startswith("node-") and k != r["leader"])
    return (
        f"| {label}{r['mode']} | {r['connections']} | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} "
        f"| {r['server_p50']:.2f} | {r['server_p99']:.2f} | {r['server_mean']:.2f} | {r['errors']} "
        f"| {cores[r['leader']]:.2f} | {followers:.2f} | {cores['wrk']:.2f} "
        f"| {sum(cores.values()):.2f} |"
    )


HEADER = (
    "| op | conns | req/s | client p50 ms | client p99 ms | server p50 ms | server p99 ms | server mean ms "
    "| errors | CPU leader | CPU followers | CPU wrk | CPU total |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", default="1,4,16")
    parser.add_argument("--pin", action="store_true", help="also run with servers on CPU 0, wrk on CPU 1")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print(
            "bench/serving.py needs wrk: bash scripts/setup.sh --bench (Debian package wrk)", file=sys.stderr
        )
        return 2
    levels = [int(c) for c in args.connections.split(",")]
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores, shared with other work)", flush=True)
    with local_env() as env:
        token = bootstrap.root_token(env.state)
        leader = env.leader()
        requests.post(
            f"{leader.api_addr}/v1/{env.cfg.kv.path}/data/bench/serving/read",
            json={"data": {"v": "x" * 64}, "options": {"cas": 0}},
            headers={"X-Vault-Token": token},
            verify=str(env.ca_cert),
            timeout=10,
        ).raise_for_status()
        quota = wrk(env, token, "read", 16, args.duration, pin=False)
        print(
            f"quota in place (global {QUOTA!r}): read x16: {quota['rps']:,.0f} req/s, "
            f"{quota['non2xx']} of {quota['rps'] * args.duration:,.0f} answered non-2xx (429)",
            flush=True,
        )
        previous = set_quota(env, token, LIFTED_RATE)
        print(f"bench: global rate-limit quota LIFTED from {previous:g}/s to {LIFTED_RATE:,}/s for this run")
        results: list[tuple[str, dict[str, Any]]] = []
        try:
            passes = [("", False)] + ([("pinned ", True)] if args.pin else [])
            for label, pin in passes:
                if pin:
                    pin_servers(env)
                for mode in ("read", "write"):
                    for connections in levels:
                        r = wrk(env, token, mode, connections, args.duration, pin)
                        results.append((label, r))
                        print(row(r, label), flush=True)
        finally:
            with contextlib.suppress(Exception):
                set_quota(env, token, previous)
                print(f"bench: global quota restored to {previous:g}/s")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}\n")
    print(HEADER)
    for label, r in results:
        print(row(r, label))
    return 0


if __name__ == "__main__":
    sys.exit(main())
