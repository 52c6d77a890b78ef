"""`vaultctl local up | status | down [--wipe]`: the local environment's operator commands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from infra.local import environment
from infra.local.state import State, default_root
from infra.progress import Progress


def _up(state: State) -> int:
    # One line per phase as it ends (a spinner in between on a terminal), on stdout with the summary.
    progress = Progress("vaultctl local", sys.stdout)
    already = bool(state.read_env().get("ports")) and state.root_token_file.is_file()
    if already:
        progress.note(f"an environment exists under {state.root} - converging it")
    env = environment.up(state, progress=progress)
    leader = env.leader()
    print(f"OpenBao cluster: {len(env.nodes)} voters on 127.0.0.1, TLS ({env.cfg.cluster.tls.min_version})")
    print(f"  address   {leader.api_addr}   (nodes: {', '.join(n.api_addr for n in env.nodes)})")
    print(f"  CA        {env.ca_cert}")
    print(f"  log in    export VAULT_ADDR={leader.api_addr} VAULT_CACERT={env.ca_cert}")
    print(
        f"            bao login -method=token - < {state.root_token_file}   (root token: break-glass, 0600)"
    )
    print(f"  recovery  keys in {state.init_file} (5 shares, threshold 3)")
    print(f"  KMS       {env.kms.address} (transit key {env.kms.key_name}: keep it, snapshots need it)")
    if env.postgres:
        print(f"  database  postgresql://127.0.0.1:{env.postgres.port}/{env.postgres.database}")
    else:
        print(f"  database  not started: {env.postgres_note}")
    print("  AWS engine left out: OpenBao has none (the local stack declares no `aws`).")
    print("  OpenAI plugin left out: its binary is not here (the local stack declares no `openai`).")
    ops = env.last_apply.ops() if env.last_apply else {}
    done = ", ".join(f"{count} {op}" for op, count in sorted(ops.items()))
    print(f"  applied   {env.applied} Vault-layer resources from the `local` stack as `deployer` ({done})")
    print("            (a JWT login with a GitHub-shaped token; the root token is break-glass only)")
    print(f"up in {progress.summary()}")
    return 0


def _status(state: State) -> int:
    report = environment.status(state)
    if not report["nodes"]:
        print("vaultctl local: no environment (run `vaultctl local up`)")
        return 1
    for node in report["nodes"]:
        sealed = "sealed" if node["sealed"] else "unsealed" if node["sealed"] is False else "?"
        print(f"{node['name']}  {node['address']}  {node['role']:<8} {sealed:<8} tls={node['tls']}")
    voters = report.get("voters") or []
    print(f"leader: {report.get('leader')}   voters: {len(voters)} ({', '.join(voters)})")
    others = {k: v for k, v in report["processes"].items() if not k.startswith("node-")}
    print("processes: " + ", ".join(f"{k}={'up' if v else 'down'}" for k, v in sorted(others.items())))
    healthy = len(voters) == len(report["nodes"]) and all(
        n["sealed"] is False and n["tls"] for n in report["nodes"]
    )
    return 0 if healthy else 1


def _down(state: State, wipe: bool) -> int:
    stopped = environment.down(state, wipe=wipe)
    print(f"stopped: {', '.join(stopped) or 'nothing was running'}")
    if wipe:
        print(f"wiped {state.root}")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="vaultctl local", description=__doc__)
    parser.add_argument("--state", help="state folder (default: .local/ at the repo root)")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("up", help="start (or converge) the environment and apply the local stack")
    sub.add_parser("status", help="nodes, seal, TLS, voters, leader")
    p = sub.add_parser("down", help="stop every process started by up")
    p.add_argument("--wipe", action="store_true", help="also delete all state (data, keys, certificates)")
    sub.add_parser("status-json", help="the same as status, as JSON (for scripts and tests)")
    p = sub.add_parser("agent", help="run a service's Vault Agent as its pod would (vaultctl local agent -h)")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p = sub.add_parser("person", help="a person's OIDC + TOTP login: enroll | login NAME")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    state = State(Path(args.state) if args.state else default_root())
    if args.action in ("agent", "person"):
        import importlib

        module = importlib.import_module(f"infra.local.{args.action}")
        return int(module.main([*args.rest, "--state", str(state.root)]))
    if args.action == "up":
        return _up(state)
    if args.action == "status":
        return _status(state)
    if args.action == "status-json":
        print(json.dumps(environment.status(state), indent=2))
        return 0
    return _down(state, args.wipe)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
