"""`vaultctl verify`'s checks as pure functions: the server's API answers in, one pass/fail row out.

No I/O here, so every rule is unit-tested on recorded answers; `cli_verify` gathers the answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from infra.config import StackConfig
from infra.vault.acl import TEMPLATES, render_template

# The operator policy `vaultctl verify` needs (read-only views, token accessors for the root-token
# check), a template in policies/acl: policy text lives in .hcl files the linter reads, never in Python.
VERIFIER_POLICY_FILE = TEMPLATES / "verifier.hcl"
VERIFIER_POLICY = render_template("verifier")

TLS_NAMES = {"tls12": "TLSv1.2", "tls13": "TLSv1.3"}
TLS_ORDER = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Expected:
    """What a healthy cluster of one stack looks like, derived from its config."""

    nodes: int
    seal_type: str
    tls_min: str  # "tls12" | "tls13"
    audit: tuple[str, ...]
    mounts: tuple[str, ...]
    auth: tuple[str, ...]


def expected_from_config(cfg: StackConfig) -> Expected:
    mounts = [cfg.kv.path, cfg.transit.path]
    if cfg.database:
        mounts.append(cfg.database.path)
    if cfg.aws:
        mounts.append(cfg.aws.path)
    return Expected(
        nodes=cfg.cluster.nodes,
        # GKE runs hashicorp/vault with Cloud KMS; the local OpenBao cluster is sealed by its transit
        # stand-in (OpenBao has no built-in gcpckms: docs/facts.md#no-gcpckms-in-openbao).
        seal_type="transit" if cfg.environment == "local" else "gcpckms",
        tls_min=cfg.cluster.tls.min_version,
        audit=tuple(device.name for device in cfg.vault.audit),
        mounts=tuple(mounts),
        auth=(cfg.kubernetes_auth.path, cfg.github_oidc.path),
    )


def initialized(value: bool) -> Check:
    return Check("initialized", value, "yes" if value else "no: run `vaultctl init`")


def unsealed(seal_status: Mapping[str, Any]) -> Check:
    sealed = seal_status.get("sealed")
    if sealed is False:
        return Check("unsealed", True, f"version {seal_status.get('version', '?')}")
    return Check("unsealed", False, "sealed: check the KMS key and the seal's IAM binding")


def seal_type(seal_status: Mapping[str, Any], expected: str | None) -> Check:
    actual = str(seal_status.get("type", "?"))
    recovery = bool(seal_status.get("recovery_seal"))
    detail = f"{actual}{' (auto-unseal, recovery keys)' if recovery else ''}"
    if expected is None:
        return Check("seal type", actual != "shamir", detail)
    ok = actual == expected and recovery
    return Check("seal type", ok, detail if ok else f"{detail}; expected {expected} with recovery keys")


def raft_peers(configuration: Mapping[str, Any], expected_nodes: int | None) -> Check:
    servers = (configuration.get("config") or {}).get("servers") or []
    voters = [s for s in servers if s.get("voter")]
    leaders = [s.get("node_id") for s in servers if s.get("leader")]
    detail = f"{len(servers)} peers, {len(voters)} voters, leader {leaders[0] if leaders else 'none'}"
    ok = bool(servers) and len(voters) == len(servers) and len(leaders) == 1
    if expected_nodes is not None:
        ok = ok and len(servers) == expected_nodes
        if not ok:
            detail += f"; expected {expected_nodes} voters"
    return Check("raft peers", ok, detail)


def autopilot(state: Mapping[str, Any]) -> Check:
    healthy = bool(state.get("healthy"))
    tolerance = state.get("failure_tolerance")
    servers = state.get("servers") or {}
    unhealthy = sorted(sid for sid, s in servers.items() if not s.get("healthy"))
    detail = (
        f"healthy, failure tolerance {tolerance}" if healthy else f"unhealthy: {', '.join(unhealthy) or '?'}"
    )
    return Check("autopilot", healthy, detail)


def tls_version(negotiated: str | None, below_min_refused: bool | None, min_version: str) -> Check:
    """`negotiated`: what a default handshake got; `below_min_refused`: whether a handshake capped
    just below the minimum was refused (None when there is no lower version to try)."""
    want = TLS_NAMES.get(min_version, min_version)
    if negotiated is None:
        return Check("TLS", False, "no TLS handshake")
    ok = negotiated in TLS_ORDER and TLS_ORDER.index(negotiated) >= TLS_ORDER.index(want)
    detail = f"negotiated {negotiated} (minimum {want})"
    if below_min_refused is False:
        ok = False
        detail += f"; a handshake below {want} was accepted"
    elif below_min_refused:
        detail += f"; below {want} refused"
    return Check("TLS", ok, detail)


def _present(listing: Mapping[str, Any], names: Iterable[str]) -> list[str]:
    keys = {k.strip("/") for k in listing}
    return [n for n in names if n.strip("/") not in keys]


def audit_devices(listing: Mapping[str, Any], expected: Iterable[str]) -> Check:
    expected = list(expected)
    names = sorted(k.strip("/") for k in listing)
    if not names:
        return Check("audit device", False, "none enabled: requests are not being recorded")
    missing = _present(listing, expected)
    if missing:
        return Check("audit device", False, f"enabled {', '.join(names)}; missing {', '.join(missing)}")
    return Check("audit device", True, f"enabled: {', '.join(names)}")


def mounts(listing: Mapping[str, Any], expected: Iterable[str]) -> Check:
    missing = _present(listing, expected)
    names = ", ".join(n.strip("/") for n in expected)
    return Check("secrets engines", not missing, f"missing: {', '.join(missing)}" if missing else names)


def auth_methods(listing: Mapping[str, Any], expected: Iterable[str]) -> Check:
    missing = _present(listing, expected)
    names = ", ".join(n.strip("/") for n in expected)
    return Check("auth methods", not missing, f"missing: {', '.join(missing)}" if missing else names)


def root_tokens(lookups: Iterable[Mapping[str, Any]]) -> Check:
    """`lookups`: `lookup-accessor` data of every token; a root token is one carrying policy `root`."""
    lookups = list(lookups)
    roots = [entry for entry in lookups if "root" in (entry.get("policies") or [])]
    if roots:
        # Accessors identify the token for revocation (`auth/token/revoke-accessor`) without
        # revealing it; printing them is how the runbook's revoke step gets its input.
        accessors = ", ".join(str(r.get("accessor", "?")) for r in roots)
        return Check("no root tokens", False, f"{len(roots)} outstanding (accessors: {accessors})")
    return Check("no root tokens", True, f"{len(lookups)} tokens checked")


def failed(name: str, err: BaseException | str) -> Check:
    return Check(name, False, f"could not check: {err}")


def render_table(checks: Iterable[Check]) -> str:
    checks = list(checks)
    width = max([len(c.name) for c in checks] + [5])
    lines = [f"{'check':<{width}}  result  detail", f"{'-' * width}  ------  {'-' * 40}"]
    for c in checks:
        lines.append(f"{c.name:<{width}}  {'PASS' if c.ok else 'FAIL':<6}  {c.detail}")
    passed = sum(c.ok for c in checks)
    verdict = "all checks passed" if passed == len(checks) else f"{len(checks) - passed} FAILED"
    lines.append(f"{passed}/{len(checks)} passed: {verdict}")
    return "\n".join(lines)
