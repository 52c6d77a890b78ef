"""`up`, `status` and `down` of the whole local environment, as functions the CLI and tests share.

Order of `up` (each a timed phase): certificates -> KMS stand-in -> PostgreSQL -> TokenReview stand-in
-> 3 nodes -> initialize -> all voters -> bootstrap -> apply. Every step finds what already runs and
keeps it, so `up` after `up` converges instead of failing.

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
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.config import StackConfig, parse_stack_config
from infra.harness import REPO_ROOT, read_stack_config, run_program
from infra.local import bootstrap, github_oidc, jws, kms, nodes, pki, postgres, processes
from infra.local.apply import Applier
from infra.local.client import client, health
from infra.local.ports import LOOPBACK, free_ports, is_free, wait_listening
from infra.local.state import State
from infra.ops import cli_init
from infra.vault import acl

STACK = "local"
TOKENREVIEW = "tokenreview"
GITHUB_OIDC_KEY = "github-oidc-signing-key.pem"
SA_ISSUER_KEY = "sa-issuer-key.pem"
NODE_COUNT_KEYS = ("kms_api", "kms_cluster", "postgres", "tokenreview")
ENGINE_STATE = "engine-state.json"  # the applier's Pulumi-like state (ids, digests; no secret)


@dataclass
class Environment:
    state: State
    cfg: StackConfig
    pki: pki.NodePki
    kms: kms.Kms
    nodes: list[nodes.NodeAddress]
    tokenreview_port: int
    postgres: postgres.Postgres | None
    postgres_note: str | None
    phases: dict[str, float] = field(default_factory=dict)
    applied: int = 0
    last_apply: Applier | None = None
    applies: list[Applier] = field(default_factory=list)  # every apply of this session, oldest first

    @property
    def ca_cert(self) -> Path:
        return self.pki.ca_cert

    def leader(self) -> nodes.NodeAddress:
        return bootstrap.wait_active(self.state, self.nodes)

    def root_client(self, node: nodes.NodeAddress | None = None) -> Any:
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


@contextmanager
def _phase(phases: dict[str, float], name: str) -> Any:
    started = time.monotonic()
    yield
    phases[name] = time.monotonic() - started


def _start_tokenreview(state: State, port: int, the_pki: pki.NodePki) -> None:
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
    token = kms.seal_token(state)
    for index in range(len(env.nodes)):
        node = env.nodes[index]
        if processes.running(state, node.name) is None and not is_free(node.api_port):
            raise RuntimeError(f"127.0.0.1:{node.api_port} ({node.name}) is taken by another program")
        nodes.start_node(cfg, state, env.pki, env.kms, env.nodes, index, token)


def up(
    state: State,
    *,
    log: Callable[[str], None] = lambda _line: None,
    apply: bool = True,
) -> Environment:
    """Bring everything up (or find it up) and apply the Vault layer; returns how to reach it."""
    phases: dict[str, float] = {}
    state.ensure()
    cfg = load_config()
    ports = _ports(state, cfg.cluster.nodes)
    with _phase(phases, "certificates"):
        the_pki = pki.ensure_pki(state.pki, cfg.cluster.tls.cert_validity_hours)
    with _phase(phases, "kms"):
        the_kms = kms.start(
            state, ports["kms_api"], ports["kms_cluster"], the_pki.cert, the_pki.key, the_pki.ca_cert
        )
    pg: postgres.Postgres | None = None
    note: str | None = None
    with _phase(phases, "postgres"):
        try:
            pg = postgres.start(state, ports["postgres"], cfg.database.database if cfg.database else "app")
        except RuntimeError as err:
            if postgres.find_binaries() is not None:
                raise
            note = str(err)
            log(note)
    with _phase(phases, "tokenreview"):
        _start_tokenreview(state, ports["tokenreview"], the_pki)
    env = Environment(
        state, cfg, the_pki, the_kms, nodes.addresses(ports["nodes"]), ports["tokenreview"], pg, note, phases
    )
    with _phase(phases, "nodes"):
        start_cluster(state, cfg, env)
    with _phase(phases, "init"):
        fresh = bootstrap.initialize(state, env.nodes)
        bootstrap.wait_active(state, env.nodes)
        if fresh:
            bootstrap.shorten_stabilization(state, env.nodes)
    with _phase(phases, "voters"):
        bootstrap.wait_voters(state, env.nodes)
    if apply:
        with _phase(phases, "bootstrap"):
            bootstrap_ci_identities(env)
        with _phase(phases, "apply"):
            env.applied = apply_vault_layer(env)
    state.write_env({**state.read_env(), "ports": ports, "leader": env.leader().name})
    return env


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
    cli_init.apply_bootstrap(env.root_client(), cli_init.bootstrap_writes(env.configured()))


def apply_vault_layer(env: Environment, token: str | None = None, *, program: Any = None) -> int:
    """Apply the `local` stack's Vault layer as the deploy job does; returns how many resources it
    processed. `token` defaults to a fresh deployer JWT login (never the root token)."""
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
    order += [n for n in (TOKENREVIEW, postgres.NAME, kms.KMS_NAME) if n in processes.names(state)]
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
