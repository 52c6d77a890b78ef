"""Failover: kill -9 the active node, time to the first successful write on the new active node.

Usage: python bench/failover.py [--trials 10]
One local environment (fresh temp state). Each trial: a background writer (round-robin over the nodes,
unique keys, cas=0) runs; the active node is SIGKILLed; a prober writes to the survivors until one
acknowledges, which is the failover time. Then every acknowledged write is read back (lost must be 0),
the killed node is restarted and the cluster waits for 3 voters before the next trial.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

import hvac
from _common import local_env, spread

from infra.local import bootstrap, processes
from infra.local.environment import Environment, start_node


def trial(env: Environment, number: int, acked: dict[str, int]) -> float:
    token = bootstrap.root_token(env.state)
    mount = env.cfg.kv.path
    clients = {
        n.index: hvac.Client(url=n.api_addr, verify=str(env.ca_cert), token=token, timeout=2)
        for n in env.nodes
    }
    stop = threading.Event()

    def writer() -> None:
        i, current = 0, 0
        while not stop.is_set():
            key = f"bench/failover/t{number:02d}/w{i:06d}"
            try:
                clients[env.nodes[current].index].secrets.kv.v2.create_or_update_secret(
                    key, secret={"i": i}, cas=0, mount_point=mount
                )
                acked[key] = i
            except Exception:
                current = (current + 1) % len(env.nodes)
                time.sleep(0.02)
            i += 1

    leader = env.leader()
    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(1.0)
    survivors = [n for n in env.nodes if n.index != leader.index]
    killed_at = time.monotonic()
    processes.kill9(env.state, leader.name)
    took, i = None, 0
    while took is None and time.monotonic() - killed_at < 60:
        node = survivors[i % len(survivors)]
        key = f"bench/failover/t{number:02d}/probe{i:05d}"
        try:
            clients[node.index].secrets.kv.v2.create_or_update_secret(
                key, secret={"i": i}, cas=0, mount_point=mount
            )
            took = time.monotonic() - killed_at
            acked[key] = i
        except Exception:
            time.sleep(0.02)
        i += 1
    time.sleep(0.5)
    stop.set()
    thread.join()
    if took is None:
        raise RuntimeError("no successful write within 60 s of the kill")
    start_node(env, leader.index)
    bootstrap.wait_voters(env.state, env.nodes)
    return took


def lost_writes(env: Environment, acked: dict[str, int]) -> list[str]:
    reader = env.root_client()
    lost = []
    for key, value in acked.items():
        try:
            got = reader.secrets.kv.v2.read_secret_version(
                key, mount_point=env.cfg.kv.path, raise_on_deleted_version=True
            )
            if got["data"]["data"] != {"i": value}:
                lost.append(key)
        except hvac.exceptions.InvalidPath:
            lost.append(key)
    return lost


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=10)
    args = parser.parse_args()
    times: list[float] = []
    acked: dict[str, int] = {}
    with local_env() as env:
        for number in range(args.trials):
            took = trial(env, number, acked)
            times.append(took)
            print(f"trial {number + 1}: first write on the new active node after {took:.2f}s", flush=True)
        lost = lost_writes(env, acked)
    print(f"failover: {spread(times)} s; max {max(times):.2f}s median {statistics.median(times):.2f}s")
    print(f"acknowledged writes: {len(acked)}; lost: {len(lost)} {lost[:3]}")


if __name__ == "__main__":
    main()
