"""Rolling restart on the real 3-node cluster (`vaultctl roll --local`): while a writer runs, every node
restarts once, standbys first, the leader after a `sys/step-down`; at most one node is ever down and
every write the cluster acknowledged is readable afterwards.

A sampler polls each node's `sys/health` throughout: "down" is a node that does not serve (no answer,
sealed, uninitialized); an unsealed standby (429) or the active node (200) serves.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import hvac

from infra.local import bootstrap, processes
from infra.local.client import client, health
from infra.ops.roll import LocalCluster, roll

SERVING = (200, 429, 473)
WRITE_PAUSE = 0.01  # ~100 writes/s at most: well under the local stack's 500/s global quota


def test_rolling_restart_keeps_a_writer_running_and_loses_no_acknowledged_write(env: Any) -> None:
    state, mount = env.state, env.cfg.kv.path
    token = bootstrap.root_token(state)
    pids_before = {n.name: processes.running(state, n.name).pid for n in env.nodes}
    acked: dict[str, int] = {}
    errors: list[str] = []
    down_samples: list[int] = []
    stop = threading.Event()

    def writer() -> None:
        # Each write goes to one node, the next node on any failure; a write counts only once acknowledged.
        clients = [
            hvac.Client(url=n.api_addr, verify=str(env.ca_cert), token=token, timeout=3) for n in env.nodes
        ]
        i, current = 0, 0
        while not stop.is_set():
            key = f"apps/roll/k{i:05d}"
            try:
                clients[current].secrets.kv.v2.create_or_update_secret(
                    key, secret={"i": i}, cas=0, mount_point=mount
                )
                acked[key] = i
            except Exception as err:
                errors.append(type(err).__name__)
                current = (current + 1) % len(clients)
            i += 1
            time.sleep(WRITE_PAUSE)

    def sampler() -> None:
        while not stop.is_set():
            codes = [health(n.api_addr, env.ca_cert, 0.5)[0] for n in env.nodes]
            down_samples.append(sum(1 for code in codes if code not in SERVING))
            time.sleep(0.05)

    threads = [threading.Thread(target=writer), threading.Thread(target=sampler)]
    for thread in threads:
        thread.start()

    def acked_at_least(n: int, within: float) -> int:
        # Progress, not wall-clock: on a loaded machine 20 writes may take longer than a second.
        # `within` only guards against a hang, and running out of it is a failure.
        deadline = time.monotonic() + within
        while len(acked) < n:
            if time.monotonic() > deadline or stop.is_set():
                raise AssertionError(
                    f"the writer stalled at {len(acked)} acknowledged writes (wanted {n}): {errors[:5]}"
                )
            time.sleep(0.05)
        return len(acked)

    try:
        before_roll = acked_at_least(21, 30)
        report = roll(LocalCluster(env), log=print)
        after_roll = acked_at_least(len(acked) + 21, 30)  # the writer keeps going on the rolled cluster
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

    pids_after = {n.name: processes.running(state, n.name).pid for n in env.nodes}
    assert all(pids_after[n] != pids_before[n] for n in pids_before), "every node restarted once"
    assert report.order[-1] == report.old_leader and report.new_leader != report.old_leader
    assert max(down_samples) == 1, f"more than one node down at once: {max(down_samples)}"
    assert down_samples.count(1) > 0, "the sampler never saw a restart: it measured nothing"
    assert before_roll > 20 and after_roll > before_roll + 20, (before_roll, after_roll, errors[:5])

    reader = client(env.leader().api_addr, env.ca_cert, token)  # backs off on the quota's 429s
    lost = [
        key
        for key, value in acked.items()
        if reader.secrets.kv.v2.read_secret_version(key, mount_point=mount, raise_on_deleted_version=True)[
            "data"
        ]["data"]
        != {"i": value}
    ]
    assert not lost, f"{len(lost)} acknowledged writes lost, e.g. {lost[:3]}"
    assert bootstrap.wait_voters(state, env.nodes) == sorted(n.name for n in env.nodes)
    print(
        f"roll {report.seconds:.1f}s, order {report.order}, leader {report.old_leader} -> "
        f"{report.new_leader}; {len(acked)} acknowledged writes, {len(errors)} refused, "
        f"{len(down_samples)} samples, max down {max(down_samples)}"
    )
