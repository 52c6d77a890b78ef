"""The 3 OpenBao Raft nodes on 127.0.0.1: server HCL from the cluster layer's renderer, one process each.

Each node's spec is the GKE spec (`infra.cluster.server_spec`) with the seal (transit, pointing at the
KMS stand-in), addresses, paths and node identity replaced; everything else (TLS minimum,
`performance_multiplier`, telemetry, declarative audit, lease TTLs) is the spec prod runs, rendered by
the same `render_server_hcl`.
"""

from __future__ import annotations

import dataclasses
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

from infra.cluster.server_hcl import RetryJoin, ServerSpec, TransitSeal, render_server_hcl
from infra.cluster.server_spec import gke_server_spec
from infra.config import StackConfig
from infra.local import processes
from infra.local.kms import Kms, bao_binary
from infra.local.pki import NodePki
from infra.local.ports import LOOPBACK, wait_listening
from infra.local.state import State

# Raft autopilot loop periods for the local cluster only (the GKE spec leaves them unset, so production
# keeps the server defaults: reconcile 10s, update 2s). A fresh joiner is promoted to voter on a
# reconcile tick after its stabilization time, so with the default period `up` waited ~12 s for
# voters; measured per value in bench/RESULTS.md ("Local bring-up").
AUTOPILOT_RECONCILE_INTERVAL: str | None = "500ms"
AUTOPILOT_UPDATE_INTERVAL: str | None = "250ms"


@dataclass(frozen=True)
class NodeAddress:
    index: int
    api_port: int
    cluster_port: int

    @property
    def name(self) -> str:
        return f"node-{self.index}"

    @property
    def api_addr(self) -> str:
        return f"https://{LOOPBACK}:{self.api_port}"

    @property
    def cluster_addr(self) -> str:
        return f"https://{LOOPBACK}:{self.cluster_port}"


def config_path(state: State, index: int) -> Path:
    return state.node_dir(index) / "server.hcl"


def node_spec(
    cfg: StackConfig, state: State, pki: NodePki, kms: Kms, nodes: list[NodeAddress], index: int
) -> ServerSpec:
    """The GKE spec for this stack config with only what one machine cannot share replaced (the
    allowed differences are listed, and checked, in tests/unit/cluster/test_server_spec.py)."""
    me = nodes[index]
    transit = TransitSeal(
        address=kms.address, key_name=kms.key_name, mount_path=kms.mount_path, tls_ca_file=str(kms.ca_cert)
    )
    return dataclasses.replace(
        gke_server_spec(cfg, seal=transit),
        raft_path=str(state.node_dir(index) / "raft"),
        listener_address=f"{LOOPBACK}:{me.api_port}",
        cluster_listener_address=f"{LOOPBACK}:{me.cluster_port}",
        tls_cert_file=str(pki.cert),
        tls_key_file=str(pki.key),
        # Every node lists the others: whichever is leader, a restarted or wiped node finds it.
        retry_join=tuple(
            RetryJoin(
                leader_api_addr=other.api_addr,
                leader_ca_cert_file=str(pki.ca_cert),
                leader_tls_servername="localhost",
            )
            for other in nodes
            if other.index != index
        ),
        # Processes, not pods: each node's identity is in its file instead of the pod's environment.
        api_addr=me.api_addr,
        cluster_addr=me.cluster_addr,
        node_id=me.name,
        kubernetes_service_registration=False,  # no Kubernetes API to register with
        autopilot_reconcile_interval=AUTOPILOT_RECONCILE_INTERVAL,
        autopilot_update_interval=AUTOPILOT_UPDATE_INTERVAL,
    )


def render_node(
    cfg: StackConfig, state: State, pki: NodePki, kms: Kms, nodes: list[NodeAddress], index: int
) -> str:
    # Relative audit paths resolve against each node's working directory (its own folder), so the
    # stanzas stay byte-identical on every node, as OpenBao requires (docs/facts.md#audit-identical).
    return render_server_hcl(node_spec(cfg, state, pki, kms, nodes, index))


def start_node(
    cfg: StackConfig,
    state: State,
    pki: NodePki,
    kms: Kms,
    nodes: list[NodeAddress],
    index: int,
    seal_token: str,
) -> processes.Managed:
    """Write the node's HCL and start it (a no-op when it already runs)."""
    me = nodes[index]
    existing = processes.running(state, me.name)
    if existing:
        return existing
    folder = state.node_dir(index)
    (folder / "raft").mkdir(parents=True, exist_ok=True)
    path = config_path(state, index)
    path.write_text(render_node(cfg, state, pki, kms, nodes, index))
    proc = processes.start(
        state,
        me.name,
        [bao_binary(), "server", f"-config={path}"],
        # The seal token reaches the server only through its environment, never the HCL.
        env=processes.clean_env({"BAO_TOKEN": seal_token, "VAULT_TOKEN": seal_token}),
        cwd=folder,
        marker=str(path),
    )
    wait_listening(me.api_port, proc.pid)
    return proc


def join_leader(nodes: list[NodeAddress], leader: NodeAddress, ca_cert: Path) -> list[str]:
    """Ask each other node to join `leader` now (`sys/storage/raft/join`), in parallel.

    Their `retry_join` stanzas get there too, but retry every 2 s over every listed peer; once init
    has made a leader, naming it saves up to that wait. A node that already joined answers
    `joined: true`; a failure is left to retry_join. Returns the names of the nodes that joined.
    """
    body = {
        "leader_api_addr": leader.api_addr,
        "leader_ca_cert": ca_cert.read_text(),
        "leader_tls_servername": "localhost",
    }

    def join(node: NodeAddress) -> str | None:
        try:
            # verify= per call: a Session's own `verify` loses to REQUESTS_CA_BUNDLE from the environment.
            response = requests.post(
                f"{node.api_addr}/v1/sys/storage/raft/join", json=body, verify=str(ca_cert), timeout=30
            )
            return node.name if response.ok and response.json().get("joined") else None
        except (requests.RequestException, ValueError):
            return None

    others = [n for n in nodes if n.index != leader.index]
    with ThreadPoolExecutor(max_workers=max(1, len(others))) as pool:
        return [name for name in pool.map(join, others) if name]


def seal_status(node: NodeAddress, ca_cert: Path) -> dict:
    try:
        response = requests.get(f"{node.api_addr}/v1/sys/seal-status", verify=str(ca_cert), timeout=5)
        return dict(response.json()) if response.ok else {}
    except (requests.RequestException, ValueError):
        return {}


def wait_replicated(node: NodeAddress, ca_cert: Path, timeout: float = 5.0) -> str:
    """After a join: "unsealed", "replicated" (sealed, but init's stored keys have reached its Raft
    store, so a restart would unseal it at once) or "pending" (neither within `timeout`).

    The signal is the recovery config (`t` in sys/seal-status): OpenBao's init writes the stored
    barrier keys before the recovery config (vault/init.go), and Raft applies entries in order, so a
    joiner that shows `t > 0` also holds the keys its stored-keys unseal needs.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = seal_status(node, ca_cert)
        if status.get("sealed") is False:
            return "unsealed"
        if int(status.get("t") or 0) > 0:
            return "replicated"
        time.sleep(0.05)
    return "pending"


def look_up_leader(node: NodeAddress, ca_cert: Path, timeout: float = 5.0) -> bool:
    """Ask a just-unsealed standby who leads (`sys/leader`) until it knows; True once it does.

    A standby otherwise finds the active node on its own periodic check, and autopilot counts it
    healthy (so promotes it) only once it reports to the active node: about 2.5 s after its unseal
    here. The lookup makes it connect now (voters 1.1 s after the unseal instead of 3.2-3.7 s:
    bench/RESULTS.md). Read-only, unauthenticated; nothing changes on the server but the timing.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            answer = requests.get(f"{node.api_addr}/v1/sys/leader", verify=str(ca_cert), timeout=2).json()
            if answer.get("leader_cluster_address"):
                return True
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.1)
    return False


def stop_node(state: State, index: int, sig: int = signal.SIGTERM) -> bool:
    return processes.stop(state, f"node-{index}", sig)


def addresses(ports: list[int]) -> list[NodeAddress]:
    """Nodes from a flat list [api0, cluster0, api1, cluster1, ...]."""
    return [NodeAddress(i, ports[2 * i], ports[2 * i + 1]) for i in range(len(ports) // 2)]
