"""`vaultctl keys status | rotate`: the lifecycle of the static model-provider keys.

    vaultctl keys status --stack NAME [--format text|markdown|json] [--as-of TIME]
    vaultctl keys rotate SERVICE PROVIDER --stack NAME [--from-file PATH] (--verify CMD | --no-verify)

Both read VAULT_ADDR, VAULT_CACERT (TLS always verified) and VAULT_TOKEN. `status` needs the
`ai-keys-auditor` policy (key metadata only; the scheduled keys-overdue workflow logs in as
`keys-auditor`); `rotate` needs `ai-keys-rotator`. The stack file names the keys (services'
`kv.ai_keys`), their owners and rotation periods.

status: every declared key with its age; exit 1 when any is overdue, missing (never written, or its
current version deleted) or undeclared (found under `ai/providers/` but in no catalog entry), else 0.

rotate: the new key from stdin (default) or `--from-file` (mode 0600), never the command line. It is
written as the next version with check-and-set, then `--verify CMD` runs (no shell; the key on its
stdin, or in a 0600 file where CMD says `{key_file}`; VAULTCTL_KEY_SERVICE/PROVIDER/VERSION in its
environment). Exit 0 when verified and recorded (`last_rotation`, `rotated_by` in the key's custom
metadata); 1 when verification failed and the previous key was restored; 3 when even the rollback
failed (the message says what to do); 2 on bad usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

import hvac

from infra.config import ConfigError, StackConfig, parse_stack_config
from infra.harness import read_stack_config
from infra.ops import keys_status
from infra.ops.keys_rotate import RollbackFailed, RotationError, read_new_key, rotate
from infra.ops.snapshot import from_env
from infra.vault.ai_keys import KEYS_PREFIX, key_path


def _listing(client: hvac.Client, mount: str, path: str) -> list[str] | None:
    """The folder's entries; None when the token may not list it."""
    try:
        response = client.secrets.kv.v2.list_secrets(path, mount_point=mount)
    except hvac.exceptions.InvalidPath:
        return []
    except hvac.exceptions.Forbidden:
        return None
    return list(response["data"]["keys"])


def stored_keys(client: hvac.Client, mount: str) -> dict[str, list[str]]:
    """provider -> services with a key (or metadata) under `ai/providers/`. The auditor may list only
    the declared providers' folders: another provider's keys show as `?`."""
    found: dict[str, list[str]] = {}
    for provider in _listing(client, mount, KEYS_PREFIX) or []:
        if provider.endswith("/"):
            name = provider.rstrip("/")
            entries = _listing(client, mount, f"{KEYS_PREFIX}/{name}")
            found[name] = ["?"] if entries is None else [s for s in entries if not s.endswith("/")]
    return found


def collect(client: hvac.Client, cfg: StackConfig, now: dt.datetime) -> list[keys_status.KeyStatus]:
    mount = cfg.kv.path
    statuses = []
    for service, key in cfg.provider_keys():
        path = key_path(key.provider, service.name)
        try:
            meta = client.secrets.kv.v2.read_secret_metadata(path, mount_point=mount)["data"]
        except hvac.exceptions.InvalidPath:
            meta = None
        statuses.append(keys_status.assess(service, key, meta, now))
    return statuses + keys_status.undeclared(cfg, stored_keys(client, mount))


def _status(args: argparse.Namespace, cfg: StackConfig) -> int:
    now = keys_status.parse_time(args.as_of) if args.as_of else dt.datetime.now(dt.UTC)
    if now is None:
        raise RotationError(f"--as-of {args.as_of!r}: an RFC 3339 time like 2027-01-08T00:00:00Z")
    statuses = collect(from_env(), cfg, now)
    if args.format == "json":
        print(json.dumps({"stack": args.stack, "at": keys_status.format_time(now),
                          "keys": [s.as_dict() for s in statuses]}, indent=2))  # fmt: skip
    elif args.format == "markdown":
        print(keys_status.render_markdown(statuses, now, args.stack))
    else:
        print(keys_status.render_text(statuses, now))
    return 1 if any(s.state in keys_status.PROBLEMS for s in statuses) else 0


def _rotate(args: argparse.Namespace, cfg: StackConfig) -> int:
    declared = {(s.name, k.provider) for s, k in cfg.provider_keys()}
    if (args.service, args.provider) not in declared:
        print(
            f"vaultctl keys rotate: {args.provider}/{args.service} is not a declared key of stack "
            f"{args.stack} (declared: {', '.join(f'{p}/{s}' for s, p in sorted(declared))})",
            file=sys.stderr,
        )
        return 2
    if not args.verify and not args.no_verify:
        print(
            "vaultctl keys rotate: give --verify CMD (or --no-verify to skip testing the key)",
            file=sys.stderr,
        )
        return 2
    key = read_new_key(args.from_file or "-", sys.stdin)
    path = key_path(args.provider, args.service)
    context = {"VAULTCTL_KEY_SERVICE": args.service, "VAULTCTL_KEY_PROVIDER": args.provider}
    outcome = rotate(
        from_env(), cfg.kv.path, path, key, verify=args.verify, timeout=args.verify_timeout, context=context
    )
    where = f"{cfg.kv.path}/{path}"
    if outcome.verified:
        print(
            f"rotated {where}: version {outcome.previous_version} -> {outcome.written_version} "
            f"({outcome.detail}); recorded in its custom metadata"
        )
        return 0
    print(f"NOT rotated {where}: {outcome.detail}", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vaultctl keys", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    p = sub.add_parser("status", help="every provider key's age; exit 1 if any is overdue or missing")
    p.add_argument("--stack", required=True, help="prod, staging, local or a stack file")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    p.add_argument(
        "--as-of",
        help="judge ages at this UTC time instead of now (e.g. 2027-01-08T00:00:00Z: what falls due)",
    )
    p = sub.add_parser("rotate", help="write, verify (or roll back) and record a provider key")
    p.add_argument("service")
    p.add_argument("provider")
    p.add_argument("--stack", required=True, help="prod, staging, local or a stack file")
    p.add_argument("--from-file", help="read the new key from this 0600 file instead of stdin")
    p.add_argument("--verify", help="command that tests the new key (its stdin, or {key_file})")
    p.add_argument("--no-verify", action="store_true", help="write without testing the key")
    p.add_argument("--verify-timeout", type=float, default=60.0, help="seconds (default 60)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        cfg = parse_stack_config(read_stack_config(args.stack))
        return _status(args, cfg) if args.action == "status" else _rotate(args, cfg)
    except (ConfigError, FileNotFoundError) as err:
        print(f"vaultctl keys: {err}", file=sys.stderr)
        return 2
    except RollbackFailed as err:
        print(f"vaultctl keys: ROLLBACK FAILED: {err}", file=sys.stderr)
        return 3
    except RotationError as err:
        print(f"vaultctl keys: {err}", file=sys.stderr)
        return 2
    except RuntimeError as err:  # from_env: no VAULT_ADDR, or VAULT_SKIP_VERIFY set
        print(f"vaultctl keys: {err}", file=sys.stderr)
        return 2
    except hvac.exceptions.Forbidden as err:
        print(
            f"vaultctl keys: permission denied ({err}); status needs ai-keys-auditor, rotate ai-keys-rotator",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
