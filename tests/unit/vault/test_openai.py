"""The OpenAI secrets plugin as declared (the binary is not available here: mocks, the linter and the
effective-permission test in tests/integration/test_openai_policy.py prove the declaration)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.config import ConfigError, parse_stack_config
from infra.harness import is_secret, read_stack_config, unwrap
from infra.vault import acl
from tests.conftest import of_type

ENDPOINT = "vault:generic/endpoint:Endpoint"


def cfg(stack: str = "prod", **overrides: Any) -> Any:
    return parse_stack_config(read_stack_config(stack, overrides))


def by_name(resources: list[Any]) -> dict[str, Any]:
    return {r.name: r for r in resources}


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_plugin_registered_by_checksum_and_version_from_config(declared, stack: str) -> None:
    c = cfg(stack)
    plugin = of_type(declared(stack), "vault:index/plugin:Plugin")
    assert len(plugin) == 1
    assert plugin[0].inputs == {
        "type": "secret",
        "name": c.openai.plugin_name,
        "version": c.openai.version,
        "sha256": c.openai.sha256,
        "command": c.openai.command,
    }


def test_mount_pins_the_plugin_version_waits_for_it_and_is_protected(declared) -> None:
    c = cfg()
    resources = by_name(declared("prod"))
    mount = resources["openai"]
    assert mount.inputs["type"] == c.openai.plugin_name
    assert mount.inputs["pluginVersion"] == c.openai.version
    assert mount.inputs["path"] == c.openai.path
    assert mount.protect is True
    assert resources["openai-plugin"].urn in mount.dependencies
    longest = max(s.openai.max_ttl for s in c.services if s.openai)
    assert mount.inputs["maxLeaseTtlSeconds"] == longest


def test_admin_key_is_a_secret_written_once_and_later_writes_never_carry_it(declared) -> None:
    c = cfg()
    resources = by_name(declared("prod"))
    first = resources["openai-config-admin-key"]
    assert is_secret(first.inputs["dataJson"])
    body = json.loads(unwrap(first.inputs["dataJson"]))
    assert body["admin_api_key"] == c.openai.admin_api_key.get_secret_value()
    assert body["rotation_period"] == c.openai.rotation_period
    # After the plugin rotates it, only Vault knows the key: never sent again, never read, never deleted.
    assert first.ignore_changes == ("dataJson",)
    assert first.inputs["disableRead"] is True and first.inputs["disableDelete"] is True
    settings = resources["openai-config"]
    body = json.loads(unwrap(settings.inputs["dataJson"]))
    assert "admin_api_key" not in body and "admin_api_key_id" not in body
    assert body == {
        "organization_id": c.openai.organization_id,
        "api_endpoint": c.openai.api_endpoint,
        "rotation_period": c.openai.rotation_period,
    }
    assert first.urn in settings.dependencies
    rotate = resources["openai-rotate-admin-key"]
    assert rotate.inputs["path"] == "openai/config/rotate"
    assert settings.urn in rotate.dependencies


def test_one_role_per_service_with_its_ttls(declared) -> None:
    c = cfg()
    roles = {
        r.inputs["path"]: r for r in of_type(declared("prod"), ENDPOINT) if "/roles/" in r.inputs["path"]
    }
    dynamic = [s for s in c.services if s.openai]
    assert set(roles) == {f"openai/roles/{s.name}" for s in dynamic}
    for service in dynamic:
        role = roles[f"openai/roles/{service.name}"]
        body = json.loads(unwrap(role.inputs["dataJson"]))
        assert (body["project_id"], body["ttl"], body["max_ttl"]) == (
            service.openai.project_id,
            service.openai.ttl,
            service.openai.max_ttl,
        )
        # The plugin reads roles back (TTLs in seconds): drift on a role is detected.
        assert role.inputs["ignoreAbsentFields"] is True and not role.inputs.get("disableRead")


def test_services_with_dynamic_keys_get_only_their_roles_creds_via_the_templated_policy(declared) -> None:
    c = cfg()
    policy = next(p.text for p in acl.ai_key_policies(c) if p.name == acl.OPENAI_CREDS)
    assert 'path "openai/creds/{{identity.entity.metadata.service}}"' in policy
    assert 'capabilities = ["read"]' in policy and policy.count("path ") == 1
    for service in c.services:
        assert (acl.OPENAI_CREDS in acl.service_token_policies(service)) is bool(service.openai), service.name
    roles = {
        r.inputs["roleName"]: r.inputs
        for r in of_type(declared("prod"), "vault:kubernetes/authBackendRole:AuthBackendRole")
    }
    assert acl.OPENAI_CREDS in roles["ai-gateway"]["tokenPolicies"]
    assert acl.OPENAI_CREDS not in roles["billing"]["tokenPolicies"]


def test_local_stack_leaves_the_plugin_out(declared) -> None:
    resources = declared("local")
    assert not of_type(resources, "vault:index/plugin:Plugin")
    assert cfg("local").openai is None
    assert acl.OPENAI_CREDS not in {r.inputs["name"] for r in of_type(resources, "vault:index/policy:Policy")}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"openai": {"sha256": "abc"}}, "openai.sha256: 64 lowercase hex"),
        ({"openai": {"version": "latest"}}, "openai.version='latest'"),
        ({"openai": {"command": "../bin/sh"}}, "openai.command="),
        ({"openai": {"api_endpoint": "http://api.openai.com/v1"}}, "must be https"),
        ({"openai": {"rotation_period": "1h"}}, "at least 1d"),
    ],
)
def test_plugin_config_errors_name_the_key(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        cfg("prod", **overrides)


def test_dynamic_keys_need_the_plugin_and_ttls_within_the_server_cap() -> None:
    raw = read_stack_config("prod")
    raw.pop("openai")
    with pytest.raises(ConfigError, match=r"ask for dynamic OpenAI keys: add the `openai` section"):
        parse_stack_config(raw)
    raw = read_stack_config("prod")
    raw["services"][0]["openai"] = {"project_id": "proj_x", "ttl": "1h", "max_ttl": "48h"}
    with pytest.raises(ConfigError, match=r"openai\.max_ttl=172800s: above vault\.max_lease_ttl"):
        parse_stack_config(raw)
    raw["services"][0]["openai"] = {"project_id": "proj_x", "ttl": "2h", "max_ttl": "1h"}
    with pytest.raises(ConfigError, match=r"openai\.ttl \(7200s\) must not exceed max_ttl"):
        parse_stack_config(raw)


def test_local_up_says_in_one_line_that_the_plugin_is_left_out(monkeypatch, capsys, tmp_path) -> None:
    from types import SimpleNamespace

    from infra.local import cli, environment

    node = SimpleNamespace(api_addr="https://127.0.0.1:1")
    fake = SimpleNamespace(
        leader=lambda: node,
        nodes=[node],
        cfg=cfg("local"),
        ca_cert=tmp_path / "ca.pem",
        kms=SimpleNamespace(address="https://127.0.0.1:2", key_name="autounseal"),
        postgres=None,
        postgres_note="not started",
        applied=0,
        last_apply=None,
        phases={},
    )
    monkeypatch.setattr(environment, "up", lambda state, **_: fake)
    assert cli.main(["--state", str(tmp_path), "up"]) == 0
    out = capsys.readouterr().out.splitlines()
    left_out = [line for line in out if "left out" in line]
    assert any(line.strip().startswith("OpenAI plugin left out:") for line in left_out), out
    assert any(line.strip().startswith("AWS engine left out:") for line in left_out), out
