"""Serving: KV v2 read and write throughput and p50/p99 latency under a bounded loopback load, the 3-node
TLS cluster (requests to the active node) vs a single `bao server -dev`; and the dynamic database
credential issuance rate (database/creds/readonly) on the local environment.

Usage: python bench/serving.py [--threads 16] [--requests 200] [--creds 100]
Fixed request count: THREADS threads x REQUESTS requests each, one keep-alive requests.Session per
thread. Reads hit one pre-written secret; each write creates a new key with cas=0 (the local stack's KV
mount requires check-and-set).
The load generator runs on the same machine (same cores) as the servers.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import requests
from _common import DEV_TOKEN, dev_server, local_env, percentile

from infra.local import bootstrap

Target = tuple[str, str, str | bool, str]  # address, token, verify, kv mount


def load(
    threads: int, count: int, make: Callable[[requests.Session, int, int], requests.Response]
) -> tuple[float, list[float], Counter[int]]:
    """Run threads x count requests; returns wall seconds, per-request latencies, failures by status."""
    latencies: list[float] = []
    failures: Counter[int] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(threads + 1)

    def worker(tid: int) -> None:
        session = requests.Session()
        mine: list[float] = []
        bad: Counter[int] = Counter()
        barrier.wait()
        for i in range(count):
            t0 = time.perf_counter()
            response = make(session, tid, i)
            mine.append(time.perf_counter() - t0)
            if not response.ok:
                bad[response.status_code] += 1
        with lock:
            latencies.extend(mine)
            failures.update(bad)

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in pool:
        t.join()
    return time.perf_counter() - started, latencies, failures


def report(label: str, wall: float, latencies: list[float], failures: Counter[int]) -> dict[str, float]:
    row = {
        "rps": len(latencies) / wall,
        "p50": percentile(latencies, 50) * 1000,
        "p99": percentile(latencies, 99) * 1000,
    }
    print(
        f"{label:<28} {row['rps']:8.0f} req/s  p50 {row['p50']:6.1f} ms  p99 {row['p99']:6.1f} ms"
        f"  ({len(latencies)} requests, {sum(failures.values())} failed {dict(failures)})",
        flush=True,
    )
    return row


def kv(label: str, target: Target, threads: int, count: int) -> dict[str, dict[str, float]]:
    address, token, verify, mount = target
    headers = {"X-Vault-Token": token}
    url = f"{address}/v1/{mount}/data/bench/serving"
    requests.post(
        f"{url}/read",
        json={"data": {"v": "x" * 64}, "options": {"cas": 0}},
        headers=headers,
        verify=verify,
        timeout=10,
    ).raise_for_status()

    def read(s: requests.Session, _tid: int, _i: int) -> requests.Response:
        return s.get(f"{url}/read", headers=headers, verify=verify, timeout=10)

    def write(s: requests.Session, tid: int, i: int) -> requests.Response:
        return s.post(
            f"{url}/w{tid:02d}-{i:05d}",
            json={"data": {"i": i}, "options": {"cas": 0}},
            headers=headers,
            verify=verify,
            timeout=10,
        )

    return {
        "read": report(f"{label} KV read", *load(threads, count, read)),
        "write": report(f"{label} KV write", *load(threads, count, write)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--creds", type=int, default=100, help="database credentials to issue (4 threads)")
    args = parser.parse_args()
    with dev_server() as (address, _ready):
        dev = kv("dev node (HTTP)", (address, DEV_TOKEN, False, "secret"), args.threads, args.requests)
    with local_env() as env:
        token = bootstrap.root_token(env.state)
        leader = env.leader()
        ca: str = str(Path(env.ca_cert))
        cluster = kv(
            "3-node TLS cluster", (leader.api_addr, token, ca, env.cfg.kv.path), args.threads, args.requests
        )
        if env.postgres is None or env.cfg.database is None:
            print(f"database credentials: skipped ({env.postgres_note})")
        else:
            url = f"{leader.api_addr}/v1/{env.cfg.database.path}/creds/readonly"
            per = max(1, args.creds // 4)

            def creds(s: requests.Session, _tid: int, _i: int) -> requests.Response:
                return s.get(url, headers={"X-Vault-Token": token}, verify=ca, timeout=30)

            report("database/creds/readonly", *load(4, per, creds))
    for op in ("read", "write"):
        print(
            f"cluster/dev {op}: throughput {cluster[op]['rps'] / dev[op]['rps']:.2f}x, "
            f"p99 {cluster[op]['p99'] / dev[op]['p99']:.2f}x"
        )


if __name__ == "__main__":
    main()
