"""The previewer (PR previews, drift detection) on a real server: it refreshes every declared resource,
as `pulumi preview --refresh` / `pulumi refresh` with pulumi-vault does, and can write nothing the
deployer can write."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from infra.harness import run_program
from infra.local import environment, github_oidc
from infra.local.apply import Applier
from infra.local.environment import Environment
from infra.vault import acl
from tests.unit.vault.acl_match import blocks

WRITES = {"create", "update", "delete", "patch", "sudo"}


@pytest.fixture(scope="module")
def previewer(env: Environment) -> str:
    return env.ci_login(acl.PREVIEWER, github_oidc.preview_job(env.configured(), pull_request=42))


def _concrete(pattern: str) -> str:
    """A path a glob or `+` pattern matches (what to probe)."""
    path = "/".join("probe" if part == "+" else part for part in pattern.split("/"))
    return path[:-1] + "probe" if path.endswith("*") else path


def deployer_writable(env: Environment) -> list[str]:
    """Every path the deployer policy lets it write, plus every path the apply really wrote."""
    policy = blocks(acl.deployer_policy(env.configured()).text)
    paths = {_concrete(p) for p, b in policy.items() if set(b["capabilities"]) & WRITES}
    paths |= {
        c.path
        for a in env.applies
        for c in a.calls
        if c.method in ("PUT", "POST", "DELETE") and c.status < 400
    }
    return sorted(paths)


def _capabilities_self(env: Environment, token: str, paths: list[str]) -> dict[str, list[str]]:
    response = requests.post(
        f"{env.leader().api_addr}/v1/sys/capabilities-self",
        headers={"X-Vault-Token": token},
        json={"paths": paths},
        verify=str(env.ca_cert),
        timeout=10,
    )
    response.raise_for_status()
    data = response.json()
    return {path: sorted(data[path]) for path in paths}


def test_previewer_can_write_nothing_the_deployer_can(env: Environment, previewer: str) -> None:
    paths = deployer_writable(env)
    assert len(paths) > 20
    seen = _capabilities_self(env, previewer, paths)
    writable = {path: caps for path, caps in seen.items() if set(caps) & WRITES}
    assert writable == {}
    # Not vacuous: the deployer's own token has write capabilities on those paths.
    root = env.root_client()
    answer = root.sys.get_capabilities(paths=paths, token=env.deployer_token())
    as_deployer = answer.get("data", answer)
    assert [path for path in paths if not set(as_deployer[path]) & WRITES] == []


def test_previewer_write_attempts_are_refused(env: Environment, previewer: str) -> None:
    cfg = env.configured()
    for method, path, body in (
        ("PUT", "sys/policies/acl/svc-billing", {"policy": 'path "kv/*" { capabilities = ["read"] }'}),
        ("POST", f"auth/{cfg.kubernetes_auth.path}/role/billing", {"token_policies": ["deployer"]}),
        ("POST", f"auth/{cfg.github_oidc.path}/role/previewer", {"token_policies": ["deployer"]}),
        ("POST", "identity/entity", {"name": "svc-billing", "metadata": {"service": "analytics"}}),
        ("POST", f"{cfg.transit.path}/keys/{cfg.transit.keys[0].name}/config", {"min_decryption_version": 1}),
    ):
        status = requests.request(
            method,
            f"{env.leader().api_addr}/v1/{path}",
            headers={"X-Vault-Token": previewer},
            json=body,
            verify=str(env.ca_cert),
            timeout=10,
        ).status_code
        assert status == 403, f"{method} {path}"


def test_previewer_refreshes_every_declared_resource(env: Environment, previewer: str) -> None:
    values: dict[str, Any] = environment.overrides(env)
    values["vault"] = {**values["vault"], "adopt_bootstrap": True}
    refresh = Applier(previewer, env.ca_cert, env.engine_state, refresh_only=True)
    run_program(environment.STACK, values, hook=refresh)
    declared = sum(1 for r in run_program(environment.STACK, values) if r.type.startswith("vault:"))
    assert refresh.ops() == {"refresh": declared}
    assert refresh.calls and {c.method for c in refresh.calls} == {"GET"}
    assert all(c.status < 400 or c.status == 404 for c in refresh.calls)
