"""`vaultctl init --stack NAME (--recovery-pgp-keys F1,F2,... | --keys-dir DIR) [--for-restore FILE]`.

Initializes a fresh cluster once. Auto-unseal (Cloud KMS / transit) means recovery keys, not unseal
keys: `--recovery-shares` (5) with `--recovery-threshold` (3). Staging and prod must encrypt every
share to its holder's PGP key (`--recovery-pgp-keys`, one public key file per share, as
`vault operator init -recovery-pgp-keys`); only the `local` stack may write plaintext shares, 0600,
under `--keys-dir`.

Then, with the root token and nothing else, the bootstrap: what CI needs before it can log in and what
CI must never be able to change. For HashiCorp Vault the audit devices first (OpenBao declares them in
server HCL), then the JWT auth method at `github_oidc.path` with its issuer config, the `deployer` and
`previewer` policies rendered from policies/acl, and their JWT roles, exactly as the Vault layer
declares them (the program adopts them with `vault.adopt_bootstrap`). Then the root token is revoked.
From there on CI logs in as `deployer` (or `previewer` for PR previews) and `pulumi up` does the rest.
The root token is never printed nor written, except with `--for-restore FILE`: disaster recovery
needs one token to send `snapshot restore --force`, and that token dies with the restore (the
snapshot's token store replaces this cluster's).

`--update-bootstrap` re-applies the bootstrap to an initialized cluster with the token in VAULT_TOKEN
(an operator's break-glass token): the way the deployer's or previewer's powers change, since neither
can write its own policy or role.

Idempotent: on an initialized cluster it says so and exits 0 without changing anything.
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hvac
import requests

from infra.cluster.layout import STATEFULSET
from infra.config import ConfigError, StackConfig, parse_stack_config
from infra.harness import read_stack_config
from infra.local.state import write_private
from infra.ops.snapshot import from_env
from infra.stacks import unset_values
from infra.vault import acl, jwt_auth
from infra.vault.audit import DESCRIPTION as AUDIT_DESCRIPTION
from infra.vault.audit import audit_options

ARMOR = re.compile(
    r"-----BEGIN PGP PUBLIC KEY BLOCK-----\s*(?:[A-Za-z-]+: .*\n)*\s*(?P<body>[A-Za-z0-9+/=\s]+?)"
    r"\s*(?:=[A-Za-z0-9+/]{4}\s*)?-----END PGP PUBLIC KEY BLOCK-----"
)


@dataclass(frozen=True)
class Bootstrap:
    """The writes `init` makes with the root token, as (path, payload) pairs: pure, unit-tested."""

    jwt_path: str
    jwt_description: str
    jwt_config: dict[str, Any]
    policies: dict[str, str]
    roles: dict[str, dict[str, Any]]  # role path -> body
    audit: dict[str, dict[str, Any]]  # device path -> body (HashiCorp Vault only)


def with_pubkeys(cfg: StackConfig, extra_pubkeys: list[str] | None) -> StackConfig:
    """The stack config with `--jwt-pubkey` keys added, so the policies pin what init configures."""
    if not extra_pubkeys:
        return cfg
    gh = cfg.github_oidc.model_copy(
        update={"validation_pubkeys": [*cfg.github_oidc.validation_pubkeys, *extra_pubkeys]}
    )
    return cfg.model_copy(update={"github_oidc": gh})


def bootstrap_writes(cfg: StackConfig, extra_pubkeys: list[str] | None = None) -> Bootstrap:
    cfg = with_pubkeys(cfg, extra_pubkeys)
    gh = cfg.github_oidc
    if not (gh.oidc_discovery_url or gh.validation_pubkeys):
        raise ConfigError(
            "github_oidc: neither oidc_discovery_url nor validation_pubkeys is set; "
            "pass --jwt-pubkey PEM_FILE (the local stack's issuer key is generated at run time)"
        )
    # The same values `infra.vault` declares, so adopting them shows no change.
    config = jwt_auth.backend_args(cfg).api_body()
    roles = {jwt_auth.role_path(cfg, role.name): role.api_body() for role in jwt_auth.bootstrap_roles(cfg)}
    policies = {p.name: p.text for p in acl.bootstrap_policies(cfg)}
    audit = {}
    if cfg.cluster.server == "vault":
        audit = {
            device.name: {
                "type": device.type,
                "description": AUDIT_DESCRIPTION,
                "options": audit_options(device),
            }
            for device in cfg.vault.audit
        }
    return Bootstrap(gh.path, jwt_auth.BACKEND_DESCRIPTION, config, policies, roles, audit)


def pgp_key_b64(path: Path) -> str:
    """A public key file as `sys/init` wants it: base64 of the binary key (armored, binary or base64 in)."""
    raw = path.read_bytes()
    text = raw.decode("ascii", errors="ignore")
    match = ARMOR.search(text)
    if match:
        return "".join(match.group("body").split())
    if raw[:1] and raw[0] & 0x80:  # an OpenPGP packet header: binary key
        return base64.b64encode(raw).decode()
    candidate = "".join(text.split())
    try:
        base64.b64decode(candidate, validate=True)
    except ValueError as err:
        raise ValueError(f"{path}: not a PGP public key (armored, binary or base64)") from err
    return candidate


def _active(client: hvac.Client) -> bool:
    status = client.sys.read_seal_status()
    return bool(status.get("initialized")) and not status.get("sealed")


def _wait(what: str, probe: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if probe():
                return
        except (hvac.exceptions.VaultError, requests.RequestException):
            pass  # a node that is still electing answers 5xx or refuses connections
        time.sleep(0.5)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def _write_shares(result: dict[str, Any], keys_dir: Path, encrypted: bool, threshold: int) -> list[Path]:
    keys_dir.mkdir(parents=True, exist_ok=True)
    keys_dir.chmod(0o700)
    # `sys/init` answers `recovery_keys_base64` (and hex `recovery_keys`); never write an empty file.
    shares = result.get("recovery_keys_base64") or result.get("recovery_keys_b64") or []
    if not shares:
        raise RuntimeError("sys/init returned no recovery keys; nothing was written")
    if encrypted:
        # Each file is one share, PGP-encrypted to its holder: `base64 -d FILE | gpg -d` by that holder.
        written = []
        for index, share in enumerate(shares, 1):
            path = keys_dir / f"recovery-share-{index}.pgp.b64"
            write_private(path, share + "\n")
            written.append(path)
        return written
    path = keys_dir / "recovery-keys.json"
    write_private(path, json.dumps({"recovery_keys_base64": shares, "threshold": threshold}, indent=2) + "\n")
    return [path]


def apply_bootstrap(client: hvac.Client, plan: Bootstrap) -> None:
    """Write the bootstrap (idempotent: on a bootstrapped cluster it rewrites the same values)."""
    devices = client.sys.list_enabled_audit_devices() if plan.audit else {}
    devices = devices.get("data", devices)
    for name, body in plan.audit.items():  # first: nothing below goes unaudited
        if f"{name}/" not in devices:
            client.adapter.put(f"/v1/sys/audit/{name}", json=body)
    enabled = client.sys.list_auth_methods()
    enabled = enabled.get("data", enabled)
    if f"{plan.jwt_path}/" not in enabled:
        client.sys.enable_auth_method("jwt", path=plan.jwt_path, description=plan.jwt_description)
    client.adapter.post(f"/v1/auth/{plan.jwt_path}/config", json=plan.jwt_config)
    for name, text in plan.policies.items():
        client.sys.create_or_update_policy(name=name, policy=text)
    for path, body in plan.roles.items():
        client.adapter.post(f"/v1/{path}", json=body)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vaultctl init", description=__doc__.split("\n")[0])
    parser.add_argument("--stack", required=True, help="prod, staging, local or a path to a stack file")
    parser.add_argument("--recovery-shares", type=int, default=5)
    parser.add_argument("--recovery-threshold", type=int, default=3)
    parser.add_argument(
        "--recovery-pgp-keys", help="comma-separated public key files, one per share (required off local)"
    )
    parser.add_argument(
        "--keys-dir", type=Path, help="folder for the recovery shares (0700/0600); required to initialize"
    )
    parser.add_argument(
        "--print-plan",
        action="store_true",
        help="print the JWT config, policies and deployer role init would write (JSON, no secrets) and exit",
    )
    parser.add_argument(
        "--jwt-pubkey", action="append", type=Path, default=[], help="PEM public key the JWT method trusts"
    )
    parser.add_argument(
        "--for-restore",
        type=Path,
        metavar="TOKEN_FILE",
        help="disaster recovery: skip the deployer setup, keep the root token in TOKEN_FILE (0600) for "
        "`snapshot restore --force`, which invalidates it",
    )
    parser.add_argument(
        "--update-bootstrap",
        action="store_true",
        help="re-apply the bootstrap (CI identities' policies and roles, JWT config) to an initialized "
        "cluster with the operator token in VAULT_TOKEN; prints what it wrote, never a secret",
    )
    parser.add_argument("--timeout", type=float, default=120)
    return parser


def _usage_problem(args: argparse.Namespace, cfg: StackConfig, pgp: list[str]) -> str | None:
    """Why these arguments cannot initialize this stack, or None."""
    if args.keys_dir is None:
        return "--keys-dir is required"
    if not pgp and cfg.environment != "local":
        return (
            f"the {cfg.environment} stack needs --recovery-pgp-keys (one key per share): "
            "plaintext recovery keys are for the local stack only"
        )
    if pgp and len(pgp) != args.recovery_shares:
        return f"{len(pgp)} PGP keys for {args.recovery_shares} shares: give one key per share"
    return None


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)

    try:
        cfg = parse_stack_config(read_stack_config(args.stack))
        # A restore brings the deployer role back with the snapshot: nothing to plan then.
        plan = None if args.for_restore else bootstrap_writes(cfg, [p.read_text() for p in args.jwt_pubkey])
        pgp = (
            [pgp_key_b64(Path(f)) for f in args.recovery_pgp_keys.split(",")]
            if args.recovery_pgp_keys
            else []
        )
    except (ConfigError, FileNotFoundError, ValueError) as err:
        print(f"vaultctl init: {err}", file=sys.stderr)
        return 2
    if args.print_plan:
        # Break-glass uses this to repair the deployer role exactly as the code declares it.
        if plan is None:
            plan = bootstrap_writes(cfg, [p.read_text() for p in args.jwt_pubkey])
        print(json.dumps(dataclasses.asdict(plan), indent=2, sort_keys=True))
        return 0
    if args.update_bootstrap:
        assert plan is not None
        return _update_bootstrap(plan, args.stack)
    problem = _usage_problem(args, cfg, pgp)
    if problem:
        print(f"vaultctl init: {problem}", file=sys.stderr)
        return 2
    return _initialize(args, cfg, plan, pgp)


def _initialize(args: argparse.Namespace, cfg: StackConfig, plan: Bootstrap | None, pgp: list[str]) -> int:
    """Initialize, keep the recovery shares, write the bootstrap, then revoke the root token."""
    try:
        client = from_env()
        if not args.for_restore and (unfilled := _unfilled(args.stack)):
            print(unfilled, file=sys.stderr)
            return 2
        if client.sys.is_initialized():
            print(f"vaultctl init: {client.url} is already initialized; nothing changed")
            return 0
        result = client.sys.initialize(
            recovery_shares=args.recovery_shares,
            recovery_threshold=args.recovery_threshold,
            recovery_pgp_keys=pgp or None,
        )
        written = _write_shares(result, args.keys_dir, bool(pgp), args.recovery_threshold)
        print(
            f"initialized {client.url}: {args.recovery_shares} recovery shares, threshold "
            f"{args.recovery_threshold}, {'PGP-encrypted' if pgp else 'plaintext (local only)'}:"
        )
        for path in written:
            print(f"  {path}")
        client.token = result["root_token"]
        _wait("the cluster to auto-unseal and elect a leader", lambda: _active(client), args.timeout)
        if args.for_restore:
            write_private(args.for_restore, result["root_token"])
            print(f"root token kept in {args.for_restore} (0600) for `vaultctl snapshot restore --force`;")
            print("the restore replaces this cluster's token store and so revokes it. Delete the file after.")
            return 0
        assert plan is not None
        _wait("the active node to accept writes", lambda: client.auth.token.lookup_self(), args.timeout)
        apply_bootstrap(client, plan)
        _print_bootstrap(plan, cfg)
        client.auth.token.revoke_self()
        try:
            client.auth.token.lookup_self()
        except hvac.exceptions.Forbidden:
            print("root token revoked")
        else:
            print("vaultctl init: the root token still answers after revoke-self", file=sys.stderr)
            return 1
        return 0
    except (RuntimeError, TimeoutError, hvac.exceptions.VaultError, requests.RequestException) as err:
        print(f"vaultctl init: {err}", file=sys.stderr)
        if hint := unreachable_hint(cfg, err):
            print(hint, file=sys.stderr)
        return 1


def _unfilled(stack: str) -> str:
    """Refuse to write the deployer policy while a value it pins is still OPERATOR-SUPPLIED: the shape
    reader's stand-in would be pinned instead (docs/ai-keys.md, "Filling in the plugin")."""
    keys = [k for k in unset_values(stack) if not k.endswith("(secret)")]
    if not keys:
        return ""
    return (
        f"vaultctl init: {', '.join(keys)} still OPERATOR-SUPPLIED in the stack file; the deployer policy "
        "pins them: fill them in first (docs/ai-keys.md)"
    )


def unreachable_hint(cfg: StackConfig, err: BaseException) -> str:
    """What to do when vault.address answers nothing. Before init no pod is ready (readiness wants an
    initialized, unsealed node), so the API Service has no endpoints and its load balancer no backend:
    init goes to one pod directly (docs/bootstrap.md, step 3)."""
    text = str(err)
    unreachable = isinstance(err, (requests.ConnectionError, requests.Timeout)) or any(
        sign in text for sign in ("no healthy upstream", "502", "503")
    )
    if not unreachable or cfg.environment == "local":
        return ""
    ns = cfg.cluster.namespace
    return (
        "  an uninitialized cluster has no ready pod, so vault.address has no backend; go to a pod:\n"
        f"    kubectl -n {ns} port-forward pod/{STATEFULSET}-0 8200:8200 &\n"
        "    VAULT_ADDR=https://localhost:8200 VAULT_CACERT=ca.pem vaultctl init ..."
        "  (docs/bootstrap.md, step 3)"
    )


def _print_bootstrap(plan: Bootstrap, cfg: StackConfig) -> None:
    if plan.audit:
        print(f"audit devices: {', '.join(plan.audit)}")
    print(
        f"auth/{plan.jwt_path}: JWT method, policies {', '.join(plan.policies)}, roles "
        f"{', '.join(path.rsplit('/', 1)[-1] for path in plan.roles)} (repository id "
        f"{cfg.deployer.repository_id}, audience {cfg.deployer.oidc_audience()})"
    )


def _update_bootstrap(plan: Bootstrap, stack: str) -> int:
    try:
        client = from_env()
        if unfilled := _unfilled(stack):
            print(unfilled, file=sys.stderr)
            return 2
        if not client.sys.is_initialized():
            print("vaultctl init: the cluster is not initialized; run init first", file=sys.stderr)
            return 1
        apply_bootstrap(client, plan)
    except (RuntimeError, hvac.exceptions.VaultError, requests.RequestException) as err:
        print(f"vaultctl init: {err}", file=sys.stderr)
        return 1
    print("bootstrap re-applied:")
    for name in plan.policies:
        print(f"  policy {name}")
    for path in plan.roles:
        print(f"  role {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
