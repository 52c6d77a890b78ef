"""Initialize the fresh cluster once, then wait until every node is a healthy Raft voter.

Auto-unseal means recovery keys, not unseal keys: 5 shares, threshold 3, kept 0600 under the state
folder (in prod they are PGP-encrypted to their holders; locally there are no holders). The root token
is saved to a 0600 file for the local operator: this is a throwaway environment, and `up` needs it to
apply the Vault layer. Nothing here prints either.
"""

from __future__ import annotations

import json
from typing import Any

from infra.local.client import client, health, wait_for
from infra.local.nodes import NodeAddress
from infra.local.state import State

RECOVERY_SHARES = 5
RECOVERY_THRESHOLD = 3
# Autopilot promotes a joiner only after it has been healthy this long (default 10 s: docs/facts.md#autopilot-stabilization);
# a local cluster need not wait that long, and the failover tests depend on all three being voters.
STABILIZATION = "500ms"


def initialize(state: State, nodes: list[NodeAddress]) -> bool:
    """Initialize through the first node unless already done; returns True when it initialized now."""
    ca = state.pki / "ca.pem"
    first = nodes[0]
    wait_for(f"{first.name} to answer", lambda: health(first.api_addr, ca)[0], timeout=30)
    c = client(first.api_addr, ca)
    if c.sys.is_initialized():
        if not state.root_token_file.is_file():
            raise RuntimeError(
                f"the cluster is initialized but {state.root_token_file} is missing: "
                "run `vaultctl local down --wipe` and `up` again"
            )
        return False
    result = c.sys.initialize(recovery_shares=RECOVERY_SHARES, recovery_threshold=RECOVERY_THRESHOLD)
    state.write_secret(state.init_file.name, json.dumps(result, indent=2))
    state.write_secret(state.root_token_file.name, result["root_token"])
    return True


def root_token(state: State) -> str:
    return state.root_token_file.read_text().strip()


def active_node(state: State, nodes: list[NodeAddress]) -> NodeAddress | None:
    for node in nodes:
        if health(node.api_addr, state.pki / "ca.pem")[0] == 200:
            return node
    return None


def wait_active(state: State, nodes: list[NodeAddress], timeout: float = 60) -> NodeAddress:
    return wait_for("an active (leader, unsealed) node", lambda: active_node(state, nodes), timeout)


def autopilot_state(state: State, nodes: list[NodeAddress]) -> dict[str, Any]:
    leader = wait_active(state, nodes)
    c = client(leader.api_addr, state.pki / "ca.pem", root_token(state))
    return c.adapter.get("/v1/sys/storage/raft/autopilot/state")["data"]


def shorten_stabilization(state: State, nodes: list[NodeAddress]) -> None:
    leader = wait_active(state, nodes)
    c = client(leader.api_addr, state.pki / "ca.pem", root_token(state))
    c.adapter.post(
        "/v1/sys/storage/raft/autopilot/configuration",
        json={"server_stabilization_time": STABILIZATION},
    )


def voters(state: State, nodes: list[NodeAddress]) -> list[str]:
    """Ids of healthy voters according to the leader's autopilot."""
    servers = autopilot_state(state, nodes).get("servers") or {}
    return sorted(
        sid for sid, s in servers.items() if s.get("status") in ("voter", "leader") and s.get("healthy")
    )


def wait_voters(state: State, nodes: list[NodeAddress], timeout: float = 90) -> list[str]:
    want = len(nodes)
    return wait_for(
        f"{want} healthy Raft voters",
        lambda: found if len(found := voters(state, nodes)) == want else None,
        timeout,
        interval=0.5,
    )
