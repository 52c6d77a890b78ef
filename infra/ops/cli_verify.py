"""`vaultctl verify [--stack NAME]`: post-deploy checks against VAULT_ADDR as a pass/fail table.

Reads VAULT_ADDR, VAULT_CACERT (TLS is always verified) and VAULT_TOKEN: a token with the verifier
policy (`python -m infra.ops.cli_verify --print-policy`), never root, since "no root tokens
outstanding" is one of the checks. `--stack` adds what that stack declares: voter count, seal type,
TLS minimum, audit devices, secrets engines and auth methods. Exit 0 only when every check passes.
"""

from __future__ import annotations

import argparse
import socket
import ssl
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import hvac

from infra.config import ConfigError, parse_stack_config
from infra.harness import read_stack_config
from infra.ops import checks
from infra.ops.checks import Check, Expected
from infra.ops.snapshot import from_env


def handshake(address: str, ca_file: str | None, max_version: ssl.TLSVersion | None = None) -> str:
    """The TLS version an actual handshake with the API listener negotiates (e.g. TLSv1.3)."""
    url = urlparse(address)
    host, port = url.hostname or "127.0.0.1", url.port or 8200
    context = ssl.create_default_context(cafile=ca_file)
    if max_version is not None:
        context.maximum_version = max_version
    with (
        socket.create_connection((host, port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        return tls.version() or "unknown"


def tls_check(address: str, ca_file: str | None, min_version: str) -> Check:
    try:
        negotiated = handshake(address, ca_file)
    except (OSError, ssl.SSLError) as err:
        return checks.failed("TLS", err)
    below: bool | None = None
    if min_version == "tls13":
        # Prove the minimum is enforced, not just that the best version was picked: a client capped
        # at TLS 1.2 must be refused.
        try:
            handshake(address, ca_file, ssl.TLSVersion.TLSv1_2)
            below = False
        except (OSError, ssl.SSLError):
            below = True
    return checks.tls_version(negotiated, below, min_version)


def _data(response: Any) -> dict[str, Any]:
    if isinstance(response, dict):
        return response.get("data", response) if "data" in response else response
    return {}


def _guard(name: str, probe: Callable[[], Check]) -> Check:
    try:
        return probe()
    except hvac.exceptions.Forbidden:
        return checks.failed(name, "permission denied (the token needs the verifier policy)")
    except Exception as err:  # one broken check must not hide the others
        return checks.failed(name, f"{type(err).__name__}: {err}")


def _root_lookups(client: hvac.Client) -> list[dict[str, Any]]:
    keys = _data(client.auth.token.list_accessors()).get("keys") or []
    lookups = []
    for accessor in keys:
        try:
            lookups.append(_data(client.auth.token.lookup_accessor(accessor)))
        except hvac.exceptions.InvalidRequest:
            continue  # expired between list and lookup
    return lookups


def run_checks(
    client: hvac.Client, address: str, ca_file: str | None, expected: Expected | None
) -> list[Check]:
    results: list[Check] = []
    init = _guard("initialized", lambda: checks.initialized(bool(client.sys.is_initialized())))
    results.append(init)
    seal: dict[str, Any] = {}

    def read_seal() -> Check:
        seal.update(client.sys.read_seal_status())
        return checks.unsealed(seal)

    results.append(_guard("unsealed", read_seal))
    results.append(
        _guard("seal type", lambda: checks.seal_type(seal, expected.seal_type if expected else None))
    )
    results.append(
        _guard(
            "raft peers",
            lambda: checks.raft_peers(
                _data(client.adapter.get("/v1/sys/storage/raft/configuration")),
                expected.nodes if expected else None,
            ),
        )
    )
    results.append(
        _guard(
            "autopilot",
            lambda: checks.autopilot(_data(client.adapter.get("/v1/sys/storage/raft/autopilot/state"))),
        )
    )
    results.append(tls_check(address, ca_file, expected.tls_min if expected else "tls12"))
    results.append(
        _guard(
            "audit device",
            lambda: checks.audit_devices(
                _data(client.sys.list_enabled_audit_devices()), expected.audit if expected else ()
            ),
        )
    )
    if expected is not None:
        results.append(
            _guard(
                "secrets engines",
                lambda: checks.mounts(_data(client.sys.list_mounted_secrets_engines()), expected.mounts),
            )
        )
        results.append(
            _guard(
                "auth methods",
                lambda: checks.auth_methods(_data(client.sys.list_auth_methods()), expected.auth),
            )
        )
    results.append(_guard("no root tokens", lambda: checks.root_tokens(_root_lookups(client))))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vaultctl verify", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--stack", help="stack whose declared shape to expect (prod, staging, local or a path)"
    )
    parser.add_argument("--print-policy", action="store_true", help="print the verifier ACL policy and exit")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.print_policy:
        print(checks.VERIFIER_POLICY, end="")
        return 0
    expected = None
    if args.stack:
        try:
            expected = checks.expected_from_config(parse_stack_config(read_stack_config(args.stack)))
        except (ConfigError, FileNotFoundError) as err:
            print(f"vaultctl verify: {err}", file=sys.stderr)
            return 2
    try:
        client = from_env()
    except RuntimeError as err:
        print(f"vaultctl verify: {err}", file=sys.stderr)
        return 2
    ca_file = client.session.verify if isinstance(client.session.verify, str) else None
    results = run_checks(client, client.url, ca_file, expected)
    print(f"vaultctl verify: {client.url}{f' (stack {args.stack})' if args.stack else ''}")
    print(checks.render_table(results))
    return 0 if all(c.ok for c in results) else 1


if __name__ == "__main__":
    sys.exit(main())
