"""A service's "pod" on this machine: `bao agent` with the configuration the injector would build.

The pod annotations (`infra.cluster.injector.annotations`) plus the injector's defaults
(`deployment.injector_defaults`, here with the local leader's address) go through the vault-k8s mirror
(`agent_config`); only the container paths move into a folder (`POD_PATHS`): `/vault/secrets` (the
shared in-memory volume the app reads), `/home/vault` (the agent's token sink), the projected
service-account token (minted by the TokenReview stand-in's issuer key, as kubelet would) and
`/vault/tls` (the `vault-ca` Secret: the local CA).

`vaultctl local agent SERVICE [--dir D] [--init]` runs it in the foreground (the README's "Using a
secret from a pod"); the integration tests start it with `start()`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from infra.cluster.injector.agent_config import (
    SECRET_VOLUME_PATH,
    SERVICE_ACCOUNT_MOUNT,
    agent_config,
    relocate,
)
from infra.cluster.injector.annotations import pod_annotations
from infra.cluster.injector.deployment import injector_defaults
from infra.config import Service, StackConfig
from infra.local import processes, tokenreview
from infra.local.state import State

POD_PATHS = {
    SECRET_VOLUME_PATH: "vault/secrets",  # pragma: allowlist secret (a path)
    "/home/vault": "home/vault",
    SERVICE_ACCOUNT_MOUNT: "serviceaccount",
    "/vault/tls": "vault/tls",
}


def bao() -> str:
    local = Path(sys.executable).with_name("bao")
    return str(local) if local.is_file() else shutil.which("bao") or "bao"


@dataclass
class LocalPod:
    root: Path
    config: dict[str, Any]

    @property
    def secrets(self) -> Path:
        return self.root / POD_PATHS[SECRET_VOLUME_PATH]

    @property
    def config_file(self) -> Path:
        return self.root / "agent.json"


def prepare(
    cfg: StackConfig,
    service: Service,
    state: State,
    address: str,
    root: Path,
    *,
    init: bool,
    login_as: Service | None = None,
    annotations: dict[str, str] | None = None,
) -> LocalPod:
    """Lay out `root` like the pod's volumes and write the agent's config into it.

    `login_as` mounts another service's service-account token (a pod of that service carrying these
    annotations); `annotations` replaces the generated ones (tests of a tampered pod).
    """
    identity = (login_as or service).kubernetes
    assert identity is not None
    config = agent_config(
        annotations or pod_annotations(service, cfg), injector_defaults(cfg, address), init=init
    )
    config = relocate(config, {container: str(root / local) for container, local in POD_PATHS.items()})
    for local in POD_PATHS.values():
        (root / local).mkdir(parents=True, exist_ok=True)
    # The volumes a pod would have: the CA Secret's key, the projected token (Vault's audience).
    shutil.copyfile(state.pki / "ca.pem", root / POD_PATHS["/vault/tls"] / "ca.crt")
    key = serialization.load_pem_private_key(
        (state.secrets / "sa-issuer-key.pem").read_bytes(), password=None
    )
    assert isinstance(key, ec.EllipticCurvePrivateKey), "`up` writes an EC key (ES256 tokens)"
    token = tokenreview.mint(
        key,
        identity.namespace,
        identity.service_account,
        audience=cfg.kubernetes_auth.audience,
        ttl=3600,
    )
    token_file = root / POD_PATHS[SERVICE_ACCOUNT_MOUNT] / "token"
    token_file.write_text(token)
    token_file.chmod(0o600)
    pod = LocalPod(root, config)
    pod.config_file.write_text(json.dumps(config, indent=2))
    return pod


def start(pod: LocalPod, log: Path) -> subprocess.Popen[bytes]:
    """`bao agent` on the pod's config; the environment carries no VAULT_*/BAO_* from the caller."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [bao(), "agent", f"-config={pod.config_file}"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=processes.clean_env(),
            cwd=pod.root,
        )


def main(argv: list[str]) -> int:
    from infra.local import environment
    from infra.local.state import default_root

    parser = argparse.ArgumentParser(prog="vaultctl local agent", description=__doc__.splitlines()[0])
    parser.add_argument("service", help="a Kubernetes service of the local catalog")
    parser.add_argument("--dir", type=Path, help="the pod's folder (default .local/pods/SERVICE)")
    parser.add_argument("--init", action="store_true", help="run the init container's config (render, exit)")
    parser.add_argument("--state", type=Path, help="state folder (default .local/)")
    args = parser.parse_args(argv)
    state = State(args.state or default_root())
    ports = state.read_env().get("ports")
    if not ports or not state.root_token_file.is_file():
        print("vaultctl local agent: no local environment (run `vaultctl local up`)", file=sys.stderr)
        return 1
    cfg = environment.load_config()
    service = next((s for s in cfg.services if s.name == args.service and s.kubernetes), None)
    if service is None:
        names = ", ".join(s.name for s in cfg.services if s.kubernetes)
        print(f"vaultctl local agent: no Kubernetes service {args.service!r} ({names})", file=sys.stderr)
        return 2
    leader = state.read_env().get("leader") or "node-0"
    address = next(n.api_addr for n in environment.nodes.addresses(ports["nodes"]) if n.name == leader)
    root = (args.dir or state.root / "pods" / service.name).resolve()
    pod = prepare(cfg, service, state, address, root, init=args.init)
    print(f"agent config: {pod.config_file}\nfiles:        {pod.secrets}/", flush=True)
    os.execve(bao(), [bao(), "agent", f"-config={pod.config_file}"], processes.clean_env())  # noqa: S606
