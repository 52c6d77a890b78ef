"""The local apply is production's: the deployer's JWT login applies the whole layer through the
provider's calls, a grant it lacks fails naming resource and path, and without skip_child_token the
provider's start-up is refused as it would be in CI."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pulumi_vault
import pytest

from infra.harness import DeclaredResource, run_program
from infra.local import environment
from infra.local.apply import Applier, ApplyError
from infra.local.environment import Environment
from infra.local.vault_resources import HANDLERS
from infra.vault import acl

BOOTSTRAP_TYPES = {
    "vault:jwt/authBackend:AuthBackend",
    "vault:jwt/authBackendRole:AuthBackendRole",
    "vault:index/policy:Policy",
}


def test_every_type_the_local_stack_declares_has_a_handler() -> None:
    declared = {r.type for r in run_program("local") if r.custom and r.type.startswith("vault:")}
    assert declared - set(HANDLERS) == set()


def test_unknown_type_is_an_error_naming_it() -> None:
    resource = DeclaredResource("vault:ssh/secretBackendRole:SecretBackendRole", "ssh", {}, True, "u", "")
    with pytest.raises(ApplyError, match=r"vault:ssh/secretBackendRole:SecretBackendRole \(ssh\)"):
        Applier("token", environment.REPO_ROOT)(resource)


def test_up_applied_everything_as_the_deployer(env: Environment) -> None:
    first = env.applies[0]  # `up` on a fresh state folder
    # Nothing was written with the root token: every call carried the JWT login's token, whose only
    # policy is the deployer's (the provider's start-up looked it up first).
    assert first.token != environment.bootstrap.root_token(env.state)
    assert first.calls[0].path == "auth/token/lookup-self"
    assert {c.token for c in first.calls} == {"parent"}  # skip_child_token: no child token
    assert not [c for c in first.calls if c.path.startswith("auth/token/create")]
    role = env.root_client().read(f"auth/{env.cfg.github_oidc.path}/role/deployer")["data"]
    assert role["token_policies"] == ["deployer"]  # the login's only policy
    ops = first.ops()
    assert set(ops) == {"import", "create"} and sum(ops.values()) == env.applied
    # The bootstrap's objects were adopted (same URN as the program's), never created again.
    imported = {s.type for s in first.steps if s.op == "import"}
    assert imported == BOOTSTRAP_TYPES
    assert not [s for s in first.steps if s.op == "create" and s.name in _bootstrap_names()]


def _bootstrap_names() -> set[str]:
    return {
        "auth-jwt",
        "auth-jwt-role-deployer",
        "auth-jwt-role-previewer",
        "policy-deployer",
        "policy-previewer",
    }


def test_applying_again_changes_nothing(env: Environment) -> None:
    assert environment.apply_vault_layer(env) == env.applied
    assert env.last_apply is not None and env.last_apply.ops() == {"same": env.applied}


@pytest.fixture
def narrower(env: Environment, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Render the deployer policy one path block narrower, and apply it the operator's way."""
    rendered = acl.deployer_policy

    def without(block: str) -> None:
        def render(cfg: Any) -> acl.RenderedPolicy:
            text = rendered(cfg).text
            start = text.index(f'path "{block}" {{')
            return acl.RenderedPolicy(acl.DEPLOYER, text[:start] + text[text.index("\n}\n", start) + 3 :])

        monkeypatch.setattr(acl, "deployer_policy", render)
        environment.bootstrap_ci_identities(env)

    yield without
    monkeypatch.undo()
    environment.bootstrap_ci_identities(env)  # the policy as the code renders it again
    environment.apply_vault_layer(env)  # and the layer as the code declares it


def test_a_narrower_deployer_policy_fails_up_naming_resource_and_path(
    env: Environment, narrower: Any
) -> None:
    kv = env.cfg.kv.path
    narrower(f"{kv}/config")
    with pytest.raises(ApplyError) as refused:
        environment.apply_vault_layer(env)
    message = str(refused.value)
    assert message.startswith("vault:kv/secretBackendV2:SecretBackendV2 (kv-config): ")
    assert f"GET {kv}/config: 403" in message and "permission denied" in message


def test_a_narrower_deployer_policy_fails_an_update_naming_resource_and_path(
    env: Environment, narrower: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    transit = env.cfg.transit.path
    narrower(f"{transit}/keys/+/config")
    # An edit in code: every key rotates a minute later, so the provider updates each key's config.
    rendered = environment.overrides

    def edited(e: Environment) -> dict[str, Any]:
        values = rendered(e)
        keys = [
            {"name": k.name, "type": k.type, "auto_rotate_period": k.auto_rotate_period + 60}
            for k in e.cfg.transit.keys
        ]
        return {**values, "transit": {"keys": keys}}

    monkeypatch.setattr(environment, "overrides", edited)
    with pytest.raises(ApplyError) as refused:
        environment.apply_vault_layer(env)
    message = str(refused.value)
    assert "vault:transit/secretBackendKey:SecretBackendKey (transit-key-" in message
    assert f"PUT {transit}/keys/" in message and "/config: 403" in message
    assert "resource_transit_secret_backend_key.go" in message


def test_without_skip_child_token_the_apply_fails_at_auth_token_create(
    env: Environment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What every CI run would have hit before the program set skip_child_token."""
    original = pulumi_vault.Provider.__init__

    def default_child_token(self: Any, name: str, **kwargs: Any) -> None:
        kwargs.pop("skip_child_token", None)  # the provider's default: create a child token
        original(self, name, **kwargs)

    monkeypatch.setattr(pulumi_vault.Provider, "__init__", default_child_token)
    with pytest.raises(ApplyError) as refused:
        environment.apply_vault_layer(env)
    message = str(refused.value)
    assert "POST auth/token/create: 403" in message
    assert "provider vault start-up (internal/provider/meta.go)" in message
