"""Every stack's Vault layer, applied by the provider emulator against an in-memory Vault that enforces
the CI policies: the deployer can create, refresh and update everything the program declares, the
previewer can refresh everything, each policy block is needed, and a refusal names resource and path.

This covers what the local OpenBao cannot: the HashiCorp Vault stacks (audit devices, AWS engine,
static roles) and both ways servers compare a list parameter with `allowed_parameters`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.config import StackConfig, parse_stack_config
from infra.harness import read_stack_config, run_program
from infra.local.apply import Applier, ApplyError
from infra.local.vault_provider import Call, VaultApi
from infra.ops import cli_init
from infra.vault import acl
from tests.conftest import STACKS
from tests.unit.vault.acl_match import blocks
from tests.unit.vault.fake_vault import FakeVault

DEPLOYER, PREVIEWER, ROOT = "deployer-token", "previewer-token", "root-token"
CA = Path("/nonexistent/ca.pem")
BOOTSTRAP_TYPES = {
    "vault:jwt/authBackend:AuthBackend",
    "vault:jwt/authBackendRole:AuthBackendRole",
    "vault:index/policy:Policy",
    "vault:index/audit:Audit",
}  # never opened: the fake answers before any connection


def _overrides(stack: str) -> dict[str, Any]:
    values: dict[str, Any] = {"vault": {"adopt_bootstrap": True}}
    if stack == "local":  # `vaultctl local up` supplies its issuer key at run time
        values["github_oidc"] = {
            "validation_pubkeys": ["-----BEGIN PUBLIC KEY-----\nLOCAL\n-----END PUBLIC KEY-----"]
        }
    return values


def _cfg(stack: str) -> StackConfig:
    return parse_stack_config(read_stack_config(stack, _overrides(stack)))


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeVault]:
    server = FakeVault(version="0")

    def request(self: VaultApi, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        path = path.strip("/")
        status, parsed = server.handle(self.token or "", method, path, body)
        self.calls.append(Call(method, path, status, tuple(sorted(body)) if body else (), self.label))
        return status, parsed

    monkeypatch.setattr(VaultApi, "request", request)
    yield server


def _bootstrap(server: FakeVault, cfg: StackConfig) -> None:
    """`vaultctl init` with the root token: what CI adopts."""
    plan = cli_init.bootstrap_writes(cfg)
    server.version = "2.7.2" if cfg.cluster.server == "openbao" else cfg.cluster.image.rsplit(":", 1)[-1]
    policies = dict(plan.policies)
    server.policies = {
        ROOT: None,
        DEPLOYER: blocks(policies[acl.DEPLOYER]),
        PREVIEWER: blocks(policies[acl.PREVIEWER]),
    }
    for name, body in plan.audit.items():
        server.handle(ROOT, "PUT", f"sys/audit/{name}", body)
    server.handle(
        ROOT, "POST", f"sys/auth/{plan.jwt_path}", {"type": "jwt", "description": plan.jwt_description}
    )
    server.handle(ROOT, "PUT", f"auth/{plan.jwt_path}/config", plan.jwt_config)
    for name, text in policies.items():
        server.handle(ROOT, "PUT", f"sys/policies/acl/{name}", {"policy": text})
    for path, body in plan.roles.items():
        server.handle(ROOT, "PUT", path, body)


def _apply(stack: str, token: str, state: Path, **kw: Any) -> Applier:
    applier = Applier(token, CA, state, **kw)
    run_program(stack, _overrides(stack), hook=applier)
    applier.finish()
    return applier


def _apply_ok(fake: FakeVault, stack: str, token: str, state: Path, **kw: Any) -> Applier:
    try:
        return _apply(stack, token, state, **kw)
    except ApplyError as err:
        pytest.fail(f"{err}\nrefused: {fake.refused}")


def _vault_resources(stack: str) -> int:
    return sum(1 for r in run_program(stack, _overrides(stack)) if r.type.startswith("vault:"))


@pytest.mark.parametrize("legacy_lists", [True, False], ids=["whole-list", "per-element"])
@pytest.mark.parametrize("stack", STACKS)
def test_deployer_applies_and_previewer_refreshes_every_stack(
    fake: FakeVault, tmp_path: Path, stack: str, legacy_lists: bool
) -> None:
    cfg = _cfg(stack)
    _bootstrap(fake, cfg)
    fake.legacy_lists = legacy_lists
    state = tmp_path / "state.json"

    first = _apply_ok(fake, stack, DEPLOYER, state)
    assert fake.refused == []
    bootstrap_objects = (
        1 + 2 * 2 + len(cli_init.bootstrap_writes(cfg).audit)
    )  # JWT mount, 2 policies, 2 roles
    assert first.ops() == {"import": bootstrap_objects, "create": _vault_resources(stack) - bootstrap_objects}
    # The provider's start-up, with skip_child_token: lookup-self, never auth/token/create.
    assert first.calls[0].path == "auth/token/lookup-self"
    assert not [c for c in first.calls if c.path.startswith("auth/token/create")]
    assert {c.token for c in first.calls} == {"parent"}

    again = _apply_ok(fake, stack, DEPLOYER, state)
    assert again.ops() == {"same": _vault_resources(stack)}, _debug_steps(again)
    assert fake.refused == []

    # Every resource edited, in code (its last inputs differ) and outside it (reads find other values):
    # the provider's updates, as the deployer. What `vaultctl init` wrote is the operator's: not drifted.
    plan = cli_init.bootstrap_writes(cfg)
    jwt = plan.jwt_path
    fake.steady = {
        *plan.roles,
        f"auth/{jwt}/config",
        f"sys/mounts/auth/{jwt}",
        f"sys/mounts/auth/{jwt}/tune",
        "sys/audit",
    }
    fake.steady |= {f"sys/policies/acl/{name}" for name in plan.policies}
    saved = json.loads(state.read_text())
    identity = ("path", "name", "roleName", "backend", "mount", "type")  # what a change would replace
    owned = [
        e
        for e in saved["resources"].values()
        if e["type"] != "vault:index/audit:Audit" and e["id"] not in {*plan.policies, jwt, *plan.roles}
    ]
    for entry in owned:
        entry["inputs"] = {k: v for k, v in entry["inputs"].items() if k in identity}
    state.write_text(json.dumps(saved))
    fake.drift = True
    updated = _apply_ok(fake, stack, DEPLOYER, state)
    fake.drift = False
    unchanged = {(s.type, s.name) for s in updated.steps if s.op == "same"}
    # Only the operator's objects, and aliases (all their fields identify them), stay as they were.
    aliases = {"vault:identity/entityAlias:EntityAlias", "vault:identity/groupAlias:GroupAlias"}
    assert {t for t, _ in unchanged} <= {*BOOTSTRAP_TYPES, *aliases}
    assert updated.ops()["update"] == _vault_resources(stack) - len(unchanged)
    assert fake.refused == []

    refresh = _apply_ok(fake, stack, PREVIEWER, state, refresh_only=True)
    assert refresh.ops() == {"refresh": _vault_resources(stack)} and fake.refused == []
    assert not [c for c in refresh.calls if c.method != "GET"]
    # `pulumi preview --refresh` as the previewer: every step decided, nothing written.
    before = state.read_text()
    fake.drift = True
    preview = _apply_ok(fake, stack, PREVIEWER, state, preview=True)
    fake.drift = False
    assert preview.ops()["update"] >= 1 and not [c for c in preview.calls if c.method != "GET"]
    assert _apply_ok(fake, stack, PREVIEWER, state, preview=True).ops() == {"same": _vault_resources(stack)}
    assert state.read_text() == before and fake.refused == []

    # Every block of both policies was needed by some call (the previewer's capabilities-self is for
    # the job itself, not for the provider).
    denies = {path for path, block in fake.policies[DEPLOYER].items() if "deny" in block["capabilities"]}
    assert fake.used_blocks[DEPLOYER] == set(fake.policies[DEPLOYER]) - denies
    assert fake.used_blocks[PREVIEWER] == set(fake.policies[PREVIEWER]) - {"sys/capabilities-self"}


def test_a_missing_grant_fails_naming_the_resource_and_the_path(
    fake: FakeVault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rendered deployer policy one block narrower (in the program and in what init writes)."""
    rendered = acl.deployer_policy

    def narrower(cfg: StackConfig) -> acl.RenderedPolicy:
        text = rendered(cfg).text
        start = text.index('path "transit/keys/+/config" {')
        return acl.RenderedPolicy(acl.DEPLOYER, text[:start] + text[text.index("\n}\n", start) + 3 :])

    monkeypatch.setattr(acl, "deployer_policy", narrower)
    cfg = _cfg("local")
    _bootstrap(fake, cfg)
    with pytest.raises(ApplyError) as failure:
        _apply("local", DEPLOYER, tmp_path / "state.json")
    message = str(failure.value)
    assert "vault:transit/secretBackendKey:SecretBackendKey (transit-key-" in message
    assert "PUT transit/keys/" in message and "/config: 403" in message
    assert "resource_transit_secret_backend_key.go" in message


def test_without_skip_child_token_the_start_up_asks_for_a_child_token(
    fake: FakeVault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pulumi_vault

    original = pulumi_vault.Provider.__init__

    def with_child_token(self: Any, name: str, **kwargs: Any) -> None:
        original(self, name, **{**kwargs, "skip_child_token": False})

    monkeypatch.setattr(pulumi_vault.Provider, "__init__", with_child_token)
    _bootstrap(fake, _cfg("local"))
    with pytest.raises(ApplyError) as failure:
        _apply("local", DEPLOYER, tmp_path / "state.json")
    assert "POST auth/token/create: 403" in str(failure.value)
    assert "provider vault start-up (internal/provider/meta.go)" in str(failure.value)
    # With a policy that allows it, every later call uses the child token.
    fake.policies[DEPLOYER] = None
    applier = _apply("local", DEPLOYER, tmp_path / "state2.json")
    create = next(c for c in applier.calls if c.path == "auth/token/create")
    assert create.fields == ("display_name", "explicit_max_ttl", "renewable", "ttl")
    after = applier.calls[applier.calls.index(create) + 1 :]
    assert after and {c.token for c in after if c.path != "sys/seal-status"} == {"child"}


def test_an_unknown_resource_type_stops_the_apply_naming_it() -> None:
    from infra.harness import DeclaredResource

    resource = DeclaredResource(
        "vault:ssh/secretBackendRole:SecretBackendRole", "ssh-role", {}, True, "u", ""
    )
    with pytest.raises(ApplyError, match=r"vault:ssh/secretBackendRole:SecretBackendRole \(ssh-role\)"):
        Applier("t", CA)(resource)


def _debug_steps(applier: Applier) -> list[Any]:
    return [s for s in applier.steps if s.op != "same"]
