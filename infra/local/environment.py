"""`up`, `status` and `down` of the whole local environment, as functions the CLI and tests share.

Order of `up` (each a timed phase, reported as it ends through `infra.progress`): certificates -> the
KMS stand-in, PostgreSQL and the TokenReview stand-in, started in parallel (none needs another) -> 3
nodes -> initialize -> the joiners join the now-known leader -> all voters, while bootstrap -> apply
run on the active node. Every step finds what already runs and keeps it, so `up` after `up` converges
instead of failing.

Bootstrap and apply go the way production does. The bootstrap is `vaultctl init`'s (infra/ops/cli_init:
the JWT method and its issuer config, the deployer and previewer policies and roles), written with the
root token, which stays a local break-glass credential (secrets/root-token, 0600) and is used for
nothing else here. The apply logs in through the JWT method with a GitHub-Actions-shaped token from the
local issuer (the deploy job's claims) and runs the `local` stack's program with the applier as hook
(infra/local/apply.py: the provider's start-up and calls, with the deployer's token). A grant the
deployer lacks fails `up`, naming the resource and the path.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infra.config import StackConfig, parse_stack_config
from infra.local import bootstrap, github_oidc, idp, jws, kms, nodes, pki, postgres, processes
from infra.local.client import client, health
from infra.local.idp import Idp
from infra.local.kms import Kms
from infra.local.nodes import NodeAddress
from infra.local.pki import NodePki
from infra.local.ports import LOOPBACK, free_ports, is_free, wait_listening
from infra.local.postgres import Postgres
from infra.local.state import State
from infra.progress import Progress
from infra.stacks import PACKAGE_ROOT as REPO_ROOT
from infra.stacks import read_stack_config

if TYPE_CHECKING:  # imported where used: the SDK loads off `up`'s critical path (_preload_sdk)
    from infra.local.apply import Applier

STACK = "local"
TOKENREVIEW = "tokenreview"
GITHUB_OIDC_KEY = "github-oidc-signing-key.pem"
SA_ISSUER_KEY = "sa-issuer-key.pem"
NODE_COUNT_KEYS = ("kms_api", "kms_cluster", "postgres", "tokenreview")
ENGINE_STATE = "engine-state.json"  # the applier's Pulumi-like state (ids, digests; no secret)
# Bring-up levers; bench/local_up.py turns each off in turn to measure its share (bench/RESULTS.md).
START_IN_PARALLEL = True
JOIN_KNOWN_LEADER = True
RESTART_JOINERS = True
LOOK_UP_LEADER = True
APPLY_WHILE_PROMOTING = True


@dataclass
class Environment:
    # Fields are named like their modules: annotations use the classes by name, since inside the class
    # body a field (`nodes`) shadows its module (`nodes.NodeAddress` would name the field).
    state: State
    cfg: StackConfig
    pki: NodePki
    kms: Kms
    nodes: list[NodeAddress]
    tokenreview_port: int
    postgres: Postgres | None
    postgres_note: str | None
    phases: dict[str, float] = field(default_factory=dict)
    applied: int = 0
    last_apply: Applier | None = None
    applies: list[Applier] = field(default_factory=list)  # every apply of this session, oldest first
    idp: Idp | None = None  # the people's IdP, when the stack declares human_auth

    @property
    def ca_cert(self) -> Path:
        return self.pki.ca_cert

    def leader(self) -> NodeAddress:
        return bootstrap.wait_active(self.state, self.nodes)

    def root_client(self, node: NodeAddress | None = None) -> Any:
        target = node or self.leader()
        return client(target.api_addr, self.ca_cert, bootstrap.root_token(self.state))

    def github_key(self) -> Path:
        return self.state.secrets / GITHUB_OIDC_KEY

    def sa_issuer_key(self) -> Path:
        return self.state.secrets / SA_ISSUER_KEY

    @property
    def engine_state(self) -> Path:
        return self.state.root / ENGINE_STATE

    def configured(self) -> StackConfig:
        """The stack config with what `up` generated at run time (the program sees exactly this)."""
        return load_config(overrides(self))

    def ci_login(self, role: str, claims: dict[str, Any]) -> str:
        """Log in through the JWT method as CI does: a token from the local GitHub OIDC issuer."""
        key = jws.ensure_key(self.github_key())
        c = client(self.leader().api_addr, self.ca_cert)
        answer = c.auth.jwt.jwt_login(
            role=role, jwt=github_oidc.mint(key, claims), path=self.cfg.github_oidc.path
        )
        return str(answer["auth"]["client_token"])

    def deployer_token(self) -> str:
        from infra.vault import acl  # (loads the Vault SDK: see _preload_sdk)

        return self.ci_login(acl.DEPLOYER, github_oidc.deploy_job(self.configured()))


def load_config(overrides: dict[str, Any] | None = None) -> StackConfig:
    return parse_stack_config(read_stack_config(STACK, overrides))


def _ports(state: State, node_count: int) -> dict[str, Any]:
    """Ports chosen on the first `up` and kept (Raft remembers its peers' addresses)."""
    env = state.read_env()
    if env.get("ports"):
        return env["ports"]
    picked = free_ports(len(NODE_COUNT_KEYS) + 2 * node_count)
    ports: dict[str, Any] = dict(zip(NODE_COUNT_KEYS, picked, strict=False))
    ports["nodes"] = picked[len(NODE_COUNT_KEYS) :]
    state.write_env({**env, "ports": ports})
    return ports


def _start_tokenreview(state: State, port: int, the_pki: NodePki) -> None:
    if processes.running(state, TOKENREVIEW):
        return
    if not is_free(port):
        raise RuntimeError(f"127.0.0.1:{port} (TokenReview stand-in) is taken by another program")
    issuer = state.secrets / SA_ISSUER_KEY
    jws.ensure_key(issuer)
    proc = processes.start(
        state,
        TOKENREVIEW,
        [
            sys.executable,
            "-m",
            "infra.local.tokenreview",
            f"--port={port}",
            f"--cert={the_pki.cert}",
            f"--key={the_pki.key}",
            f"--issuer-key={issuer}",
        ],
        env=processes.clean_env({"PYTHONPATH": str(REPO_ROOT)}),
        cwd=REPO_ROOT,
        marker=str(issuer),
    )
    wait_listening(port, proc.pid)


def start_cluster(state: State, cfg: StackConfig, env: Environment) -> None:
    """Start every node that is not running, all at once (each start mostly waits for its listener)."""
    token = kms.seal_token(state)
    for node in env.nodes:
        if processes.running(state, node.name) is None and not is_free(node.api_port):
            raise RuntimeError(f"127.0.0.1:{node.api_port} ({node.name}) is taken by another program")

    def start(index: int) -> None:
        nodes.start_node(cfg, state, env.pki, env.kms, env.nodes, index, token)

    if not START_IN_PARALLEL:
        for index in range(len(env.nodes)):
            start(index)
        return
    with ThreadPoolExecutor(max_workers=len(env.nodes), thread_name_prefix="node") as pool:
        for done in [pool.submit(start, i) for i in range(len(env.nodes))]:
            done.result()


class _Now:
    """An executor that runs each task at once in the caller (START_IN_PARALLEL off, for the bench)."""

    def submit(self, fn: Callable[[], Any]) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn())
        except Exception as err:
            future.set_exception(err)
        return future

    def shutdown(self, wait: bool = True) -> None:
        pass


@dataclass
class Services:
    """The KMS stand-in, PostgreSQL and the TokenReview stand-in, starting in the background.

    None needs another, and only the KMS stand-in is needed before the nodes (their seal); PostgreSQL
    and the TokenReview stand-in are needed only by the apply, so the nodes start as soon as the KMS
    is ready while the other two finish.
    """

    kms: Future[Kms]
    postgres: Future[Postgres | None]
    tokenreview: Future[None]
    notes: list[str]
    pool: ThreadPoolExecutor | _Now

    def database(self) -> tuple[Postgres | None, str | None]:
        """Wait for PostgreSQL and the TokenReview stand-in; (PostgreSQL or None, why not)."""
        self.tokenreview.result()
        return self.postgres.result(), (self.notes[0] if self.notes else None)


def start_services(
    state: State,
    cfg: StackConfig,
    ports: dict[str, Any],
    the_pki: NodePki,
    progress: Progress,
    log: Callable[[str], None],
) -> Services:
    notes: list[str] = []

    def start_kms() -> Kms:
        with progress.phase("kms"):
            return kms.start(
                state, ports["kms_api"], ports["kms_cluster"], the_pki.cert, the_pki.key, the_pki.ca_cert
            )

    def start_postgres() -> Postgres | None:
        with progress.phase("postgres"):
            try:
                return postgres.start(
                    state, ports["postgres"], cfg.database.database if cfg.database else "app"
                )
            except RuntimeError as err:
                if postgres.find_binaries() is not None:
                    raise
                notes.append(str(err))
                log(str(err))
                return None

    def start_tokenreview() -> None:
        with progress.phase("tokenreview"):
            _start_tokenreview(state, ports["tokenreview"], the_pki)

    pool: ThreadPoolExecutor | _Now = (
        ThreadPoolExecutor(max_workers=3, thread_name_prefix="start") if START_IN_PARALLEL else _Now()
    )
    return Services(
        pool.submit(start_kms), pool.submit(start_postgres), pool.submit(start_tokenreview), notes, pool
    )


def form_cluster(env: Environment, progress: Progress) -> bool:
    """Start the nodes, initialize once, bring the joiners in; True when it initialized now."""
    state = env.state
    with progress.phase("nodes"):
        start_cluster(state, env.cfg, env)
    with progress.phase("init"):
        fresh = bootstrap.initialize(state, env.nodes)
        leader = bootstrap.wait_active(state, env.nodes)
        if fresh:
            bootstrap.shorten_stabilization(state, env.nodes)
    if fresh and JOIN_KNOWN_LEADER:
        with progress.phase("join"):
            nodes.join_leader(env.nodes, leader, env.ca_cert)
    if fresh and RESTART_JOINERS:
        with progress.phase("unseal"):
            unseal_joiners(env, leader)
    return fresh


def _preload_sdk() -> None:
    import infra.harness
    import infra.local.apply
    import infra.ops.cli_init
    import infra.vault.acl  # noqa: F401


def up(
    state: State,
    *,
    log: Callable[[str], None] | None = None,
    apply: bool = True,
    progress: Progress | None = None,
) -> Environment:
    """Bring everything up (or find it up) and apply the Vault layer; returns how to reach it.

    `progress` reports each phase as it ends (the CLI passes a printing one); `log`, when given,
    receives notes such as "PostgreSQL not found" (kept for callers that only want those).
    """
    progress = progress or Progress.silent()
    # The Pulumi SDK (policy rendering for the KMS stand-in, then the apply) loads in the background
    # while `up` mostly waits for servers to start, instead of on the critical path.
    threading.Thread(target=_preload_sdk, name="preload", daemon=True).start()
    state.ensure()
    cfg = load_config()
    ports = _ports(state, cfg.cluster.nodes)
    with progress.phase("certificates"):
        the_pki = pki.ensure_pki(state.pki, cfg.cluster.tls.cert_validity_hours)
    services = start_services(state, cfg, ports, the_pki, progress, log or progress.note)
    try:
        env = Environment(
            state,
            cfg,
            the_pki,
            services.kms.result(),
            nodes.addresses(ports["nodes"]),
            ports["tokenreview"],
            None,
            None,
            progress.phases,
        )
        form_cluster(env, progress)
        env.postgres, env.postgres_note = services.database()
    finally:
        services.pool.shutdown(wait=True)
    converge(env, progress, apply=apply)
    state.write_env({**state.read_env(), "ports": ports, "leader": env.leader().name})
    return env


def start_idp(env: Environment) -> Idp:
    """The second OpenBao as the people's OIDC provider, Vault registered as its client: the UI
    callback of every node (any may be the leader the stack is applied to) and the CLI's."""
    assert env.cfg.human_auth is not None
    saved = env.state.read_env()
    ports = saved.get("idp_ports") or dict(zip(("api", "cluster"), free_ports(2), strict=True))
    env.state.write_env({**saved, "idp_ports": ports})
    root = idp.start(env.state, ports["api"], ports["cluster"], env.pki.cert, env.pki.key, env.ca_cert)
    mount = env.cfg.human_auth.oidc.path
    uris = [f"{n.api_addr}/ui/vault/auth/{mount}/oidc/callback" for n in env.nodes]
    return idp.configure(root, env.state, [*uris, "http://localhost:8250/oidc/callback"], env.ca_cert)


def converge(env: Environment, progress: Progress, *, apply: bool = True) -> None:
    """Wait for every node to be a voter and (unless `apply` is False) bootstrap the CI identities and
    apply the Vault layer.

    Bootstrap and apply write to the active node only, so they need not wait for autopilot to promote
    the joiners: both proceed together, and this returns when both are done.
    """

    def wait_voters() -> None:
        with progress.phase("voters"):
            bootstrap.wait_voters(env.state, env.nodes)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="voters") as pool:
        voters = pool.submit(wait_voters) if APPLY_WHILE_PROMOTING else None
        if voters is None:
            wait_voters()
        if env.cfg.human_auth is not None and env.idp is None:
            with progress.phase("idp"):
                env.idp = start_idp(env)
        if apply:
            with progress.phase("bootstrap"):
                bootstrap_ci_identities(env)
            with progress.phase("apply"):
                env.applied = apply_vault_layer(env)
        if voters is not None:
            voters.result()


def unseal_joiners(env: Environment, leader: NodeAddress) -> list[str]:
    """Restart each joiner once init's data has reached it, so it unseals now; returns their names.

    A node that joins a cluster auto-unseals only on its next stored-keys attempt, which OpenBao
    makes at start and then every 5 s (`runUnseal`; not configurable): a fresh joiner stays sealed,
    and autopilot cannot start promoting it, until 5 s after its start. A restart on the replicated
    Raft data unseals it at once, as any restart does; it is then asked who leads, so it reports to
    the active node now rather than on its next periodic check. A joiner not replicated within a few
    seconds is left alone: its own 5 s retry still gets there.
    """

    def one(node: NodeAddress) -> str | None:
        if nodes.wait_replicated(node, env.ca_cert) != "replicated":
            return None
        processes.stop(env.state, node.name)
        start_node(env, node.index)
        if LOOK_UP_LEADER:
            nodes.look_up_leader(node, env.ca_cert)
        return node.name

    others = [n for n in env.nodes if n.index != leader.index]
    with ThreadPoolExecutor(max_workers=max(1, len(others)), thread_name_prefix="unseal") as pool:
        return [name for name in pool.map(one, others) if name]


def overrides(env: Environment) -> dict[str, Any]:
    """What `up` generated at run time, merged over Pulumi.local.yaml's config."""
    gh_key = jws.ensure_key(env.github_key())
    values: dict[str, Any] = {
        "vault": {"address": env.leader().api_addr},
        # Stripped: the server stores the PEM without its final newline, and a provider that reads back
        # something else than it was given shows a change on every run.
        "github_oidc": {"validation_pubkeys": [jws.public_pem(gh_key).strip()]},
        "kubernetes_auth": {
            "host": f"https://{LOOPBACK}:{env.tokenreview_port}",
            "ca_pem": env.ca_cert.read_text(),
        },
    }
    if env.idp is not None:
        values["human_auth"] = {
            "oidc": {
                "discovery_url": env.idp.issuer,
                "discovery_ca_pem": env.ca_cert.read_text().strip(),  # stored without the newline
                "client_id": env.idp.client_id,
                "client_secret": env.idp.client_secret,
            }
        }
    if env.postgres is not None:
        values["database"] = {
            "host": LOOPBACK,
            "port": env.postgres.port,
            "password": env.postgres.admin_password,
        }
    else:
        # Without PostgreSQL the connection is still written (policies and roles stay identical) but
        # not verified, and nothing can be rotated.
        values["database"] = {"verify_connection": False, "rotate_root": False}
    return values


def bootstrap_ci_identities(env: Environment) -> None:
    """`vaultctl init`'s bootstrap writes, with the root token (the operator's step in production: on a
    fresh cluster, and again whenever the code changes what the CI identities may do)."""
    from infra.ops import cli_init  # (loads the Vault SDK: see _preload_sdk)

    cli_init.apply_bootstrap(env.root_client(), cli_init.bootstrap_writes(env.configured()))


def apply_vault_layer(env: Environment, token: str | None = None, *, program: Any = None) -> int:
    """Apply the `local` stack's Vault layer as the deploy job does; returns how many resources it
    processed. `token` defaults to a fresh deployer JWT login (never the root token)."""
    # Imported here: the Pulumi SDK loads while `up` waits for processes (_preload_sdk), not before.
    from infra.harness import run_program
    from infra.local.apply import Applier

    values = overrides(env)
    # Adopt what the bootstrap created (vault.adopt_bootstrap). Production sets it for the first `up`
    # after `vaultctl init` only; once adopted the engine ignores it, so locally it stays on.
    values["vault"] = {**values["vault"], "adopt_bootstrap": True}
    applier = Applier(token or env.deployer_token(), env.ca_cert, env.engine_state)
    env.last_apply = applier
    env.applies.append(applier)
    run_program(STACK, values, hook=applier, program=program)
    applier.finish()
    return len(applier.applied)


# ---------------------------------------------------------------------- status and down


def tls_version(address: str, ca_cert: Path) -> str:
    """The TLS version an actual handshake with the listener negotiates (e.g. TLSv1.3)."""
    host, port = address.removeprefix("https://").rsplit(":", 1)
    context = ssl.create_default_context(cafile=str(ca_cert))
    with (
        socket.create_connection((host, int(port)), timeout=3) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        return tls.version() or "unknown"


def status(state: State) -> dict[str, Any]:
    env = state.read_env()
    ports = env.get("ports")
    if not ports:
        return {"initialized": False, "processes": {}, "nodes": []}
    ca = state.ca_cert
    report: dict[str, Any] = {
        "processes": {name: bool(processes.running(state, name)) for name in processes.names(state)},
        "nodes": [],
    }
    node_list = nodes.addresses(ports["nodes"])
    for node in node_list:
        code, body = health(node.api_addr, ca)
        entry = {
            "name": node.name,
            "address": node.api_addr,
            "running": bool(processes.running(state, node.name)),
            "role": {200: "active", 429: "standby", 473: "standby", 501: "uninitialized", 503: "sealed"}.get(
                code, "down"
            ),
            "sealed": body.get("sealed"),
            "version": body.get("version"),
        }
        try:
            entry["tls"] = tls_version(node.api_addr, ca) if code else None
        except OSError:
            entry["tls"] = None
        report["nodes"].append(entry)
    try:
        auto = bootstrap.autopilot_state(state, node_list) if state.root_token_file.is_file() else {}
        report["leader"] = auto.get("leader")
        report["voters"] = sorted(auto.get("voters") or [])
        report["healthy"] = auto.get("healthy")
    except Exception as err:  # status must report, never crash, on a half-broken environment
        report["leader"], report["voters"], report["error"] = None, [], str(err)
    return report


def down(state: State, wipe: bool = False) -> list[str]:
    """Stop every process `up` started (nodes first, the KMS stand-in last); optionally wipe data."""
    stopped = []
    order = sorted(n for n in processes.names(state) if n.startswith("node-"))
    order += [
        n for n in (TOKENREVIEW, idp.IDP_NAME, postgres.NAME, kms.KMS_NAME) if n in processes.names(state)
    ]
    order += [n for n in processes.names(state) if n not in order]
    for name in order:
        done = postgres.stop(state) if name == postgres.NAME else processes.stop(state, name)
        if done:
            stopped.append(name)
    if wipe and state.root.is_dir():
        shutil.rmtree(state.root)
    return stopped


def destroy_cluster(state: State) -> None:
    """The disaster: stop every node and delete its data and the cluster's keys. The KMS stand-in,
    PostgreSQL and the TokenReview stand-in survive, like Cloud KMS and the app database would."""
    for name in processes.names(state):
        if name.startswith("node-"):
            processes.stop(state, name)
    shutil.rmtree(state.root / "nodes", ignore_errors=True)
    state.init_file.unlink(missing_ok=True)
    state.root_token_file.unlink(missing_ok=True)


def start_node(env: Environment, index: int) -> None:
    """(Re)start one node with the same config; it auto-unseals through the KMS stand-in."""
    nodes.start_node(env.cfg, env.state, env.pki, env.kms, env.nodes, index, kms.seal_token(env.state))


def start_kms(env: Environment) -> None:
    ports = env.state.read_env()["ports"]
    kms.start(env.state, ports["kms_api"], ports["kms_cluster"], env.pki.cert, env.pki.key, env.ca_cert)
