"""`vaultctl roll --local`: restart every node one at a time, standbys first, the leader last after a
step-down, so a new server config or certificate reaches every process without losing quorum or more
than one node at a time.

The order and its guards are one function (`roll`) over a small `Cluster` interface; `LocalCluster`
drives the local 3-node environment with infra/local's helpers. On GKE the same steps are kubectl
commands (`docs/rolling-restart.md`): the StatefulSet's `OnDelete` strategy leaves the order to us.

Each restarted node must be back as an unsealed standby, with every voter healthy in the leader's
autopilot view and the node's Raft index caught up, before the next node goes down: a node that is
merely listening but still replaying its log would make the next restart the second node down.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

SERVING = ("active", "standby")
# sys/health status codes (Vault and OpenBao): 473 is a performance standby.
HEALTH_ROLES: Mapping[int, str] = {
    200: "active",
    429: "standby",
    473: "standby",
    501: "uninitialized",
    503: "sealed",
}


class RollRefused(RuntimeError):
    """The cluster is not healthy enough to take one node out of it."""


class Cluster(Protocol):
    def roles(self) -> dict[str, str]:
        """Node name -> "active", "standby", "sealed", "uninitialized" or "down"."""
        ...

    def restart(self, name: str) -> None:
        """Stop the node gracefully and start it again (with the current config and certificate)."""
        ...

    def step_down(self, name: str) -> None:
        """Ask the active node to give up leadership (`sys/step-down`)."""
        ...

    def wait_healthy(self, name: str, timeout: float) -> None:
        """Return once the node serves again, every voter is healthy and the node has caught up."""
        ...


@dataclass
class RollReport:
    order: list[str] = field(default_factory=list)
    old_leader: str = ""
    new_leader: str = ""
    seconds: float = 0.0
    steps: list[tuple[str, str, float]] = field(default_factory=list)  # (action, node, seconds)


def roll_order(roles: Mapping[str, str]) -> list[str]:
    """Standbys in name order, then the active node; refuses a cluster that is not fully serving."""
    for name, role in sorted(roles.items()):
        if role not in SERVING:
            raise RollRefused(
                f"{name} is {role}: bring it back before rolling (one more node down could cost quorum)"
            )
    active = [n for n, r in roles.items() if r == "active"]
    if len(active) != 1:
        raise RollRefused("no active node" if not active else f"{len(active)} active nodes: {sorted(active)}")
    return sorted(n for n, r in roles.items() if r == "standby") + active


def roll(
    cluster: Cluster,
    *,
    log: Callable[[str], None] = lambda _line: None,
    timeout: float = 120.0,
    poll: float = 0.2,
    grace: float = 5.0,
    step_down_attempts: int = 3,
) -> RollReport:
    """Restart every node once without losing quorum; returns what it did, in order."""
    started = time.monotonic()
    report = RollReport(order=roll_order(cluster.roles()))
    leader = report.order[-1]
    report.old_leader = leader

    def timed(action: str, name: str, fn: Callable[[], None]) -> None:
        t0 = time.monotonic()
        fn()
        report.steps.append((action, name, time.monotonic() - t0))
        log(f"{action} {name}: {time.monotonic() - t0:.1f}s")

    for name in report.order[:-1]:
        timed("restart", name, functools.partial(cluster.restart, name))
        timed("healthy", name, functools.partial(cluster.wait_healthy, name, timeout))

    # Leadership moves to an already restarted node before the old leader stops: clients see one short
    # election instead of a failover after a crash.
    for _attempt in range(step_down_attempts):
        timed("step-down", leader, lambda: cluster.step_down(leader))
        successor = _wait_for_other_leader(cluster, leader, min(timeout, 30.0), poll, grace)
        if successor:
            report.new_leader = successor
            break
        log(f"{leader} was elected again; stepping down once more")
    else:
        raise RollRefused(
            f"{leader} kept leadership after {step_down_attempts} step-downs; not restarting it"
        )
    timed("restart", leader, lambda: cluster.restart(leader))
    timed("healthy", leader, lambda: cluster.wait_healthy(leader, timeout))
    report.seconds = time.monotonic() - started
    return report


def _wait_for_other_leader(
    cluster: Cluster, old: str, timeout: float, poll: float, grace: float
) -> str | None:
    """The node that took over, or None when the old leader is still (or again) active after `grace`
    seconds, or nobody took over within `timeout`. A step-down is asynchronous: for a moment after
    it returns, the old leader still answers as active."""
    now = time.monotonic()
    deadline, settle = now + timeout, now + grace
    while True:
        active = [n for n, r in cluster.roles().items() if r == "active"]
        if active and active != [old]:
            return active[0]
        now = time.monotonic()
        if now >= deadline or (active == [old] and now >= settle):
            return None
        time.sleep(poll)


# ---------------------------------------------------------------------- the local environment


class LocalCluster:
    """The local OpenBao nodes (infra/local): restart = SIGTERM + start with a freshly rendered config."""

    def __init__(self, env: Any) -> None:
        from infra.local import bootstrap

        self.env = env
        self.nodes = {n.name: n for n in env.nodes}
        self.token = bootstrap.root_token(env.state)  # local break-glass: step-down needs sudo

    def roles(self) -> dict[str, str]:
        from infra.local.client import health

        return {
            name: HEALTH_ROLES.get(health(node.api_addr, self.env.ca_cert, 1.0)[0], "down")
            for name, node in self.nodes.items()
        }

    def restart(self, name: str) -> None:
        from infra.local import environment, processes

        processes.stop(self.env.state, name)  # SIGTERM: a leader hands over, a standby leaves cleanly
        environment.start_node(self.env, self.nodes[name].index)

    def step_down(self, name: str) -> None:
        from infra.local.client import client

        client(self.nodes[name].api_addr, self.env.ca_cert, self.token).sys.step_down()

    def wait_healthy(self, name: str, timeout: float) -> None:
        from infra.local import bootstrap
        from infra.local.client import health, wait_for

        node = self.nodes[name]
        wait_for(
            f"{name} to serve (unsealed)",
            lambda: health(node.api_addr, self.env.ca_cert, 1.0)[0] in (200, 429, 473),
            timeout,
        )
        # The leader's index now; the node has caught up once autopilot reports it at or past it.
        # (Right after a fast restart autopilot may still show the node's pre-restart state, whose
        # index is older than this one while writes go on.)
        target = self._leader_index()

        def caught_up() -> bool:
            servers = bootstrap.autopilot_state(self.env.state, self.env.nodes).get("servers") or {}
            healthy = all(
                s.get("healthy") and s.get("status") in ("leader", "voter") for s in servers.values()
            )
            return len(servers) == len(self.nodes) and healthy and servers[name]["last_index"] >= target

        wait_for(f"{name} to be a healthy, caught-up voter", caught_up, timeout, interval=0.5)

    def _leader_index(self) -> int:
        from infra.local import bootstrap

        state = bootstrap.autopilot_state(self.env.state, self.env.nodes)
        return int(state["servers"][state["leader"]]["last_index"])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="vaultctl roll",
        description=__doc__.split("\n\n")[0],
        epilog="On GKE the same order is run with kubectl: docs/rolling-restart.md.",
    )
    parser.add_argument(
        "--local", action="store_true", required=True, help="roll the local environment (vaultctl local up)"
    )
    parser.add_argument("--state", help="local state folder (default: .local/ at the repo root)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per node to come back healthy")
    args = parser.parse_args(argv)

    from infra.local import environment
    from infra.local.state import State, default_root

    state = State(Path(args.state) if args.state else default_root())
    if not state.read_env().get("ports"):
        print("vaultctl roll: no local environment (run `vaultctl local up`)", file=sys.stderr)
        return 1
    env = environment.up(state, apply=False)  # finds everything running; renders nothing new yet
    try:
        report = roll(
            LocalCluster(env), log=lambda line: print(f"vaultctl roll: {line}"), timeout=args.timeout
        )
    except (RollRefused, TimeoutError) as err:
        print(f"vaultctl roll: {err}", file=sys.stderr)
        return 1
    print(
        f"rolled {len(report.order)} nodes in {report.seconds:.1f}s: {', '.join(report.order)}; "
        f"leader {report.old_leader} -> {report.new_leader}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
