"""Static provider keys as declared: metadata only (never a value), from the catalog, never deleted by
the program; the keys-auditor identity and the rotator/auditor policies."""

from __future__ import annotations

import json
from typing import Any

import hcl2
import pytest

from infra.config import ConfigError, parse_stack_config
from infra.harness import read_stack_config, unwrap
from infra.vault import acl
from infra.vault.ai_keys import declared_metadata, format_period
from policies.rules import lint_policy_text
from tests.conftest import STACKS, of_type

ENDPOINT = "vault:generic/endpoint:Endpoint"
JWT_ROLE = "vault:jwt/authBackendRole:AuthBackendRole"


def cfg(stack: str = "prod", **overrides: Any) -> Any:
    return parse_stack_config(read_stack_config(stack, overrides))


def metadata_endpoints(resources: list[Any]) -> dict[str, dict[str, Any]]:
    return {
        r.inputs["path"]: unwrap(dict(r.inputs)) | {"_r": r}
        for r in of_type(resources, ENDPOINT)
        if "/metadata/" in r.inputs["path"]
    }


@pytest.mark.parametrize("stack", STACKS)
def test_each_catalog_key_gets_metadata_and_nothing_writes_a_value(declared, stack: str) -> None:
    c = cfg(stack)
    resources = declared(stack)
    found = metadata_endpoints(resources)
    assert set(found) == {f"kv/metadata/ai/providers/{k.provider}/{s.name}" for s, k in c.provider_keys()}
    for service, key in c.provider_keys():
        endpoint = found[f"kv/metadata/ai/providers/{key.provider}/{service.name}"]
        body = json.loads(endpoint["dataJson"])
        # No max_versions: the key keeps the mount's (kv.max_versions), the history rollbacks need.
        assert body == {"cas_required": True, "custom_metadata": declared_metadata(service, key)}
        assert body["custom_metadata"]["owner"] == key.owner
        assert body["custom_metadata"]["rotation_period"] == format_period(key.rotation_period)
        assert body["custom_metadata"]["ticket"] == key.ticket
        # Deleting metadata destroys every version; a refresh would see each recorded rotation as drift.
        assert endpoint["disableDelete"] is True and endpoint["disableRead"] is True
        assert any(dep.endswith("::kv") for dep in endpoint["_r"].dependencies)
        # ...and after the mount's settings, whose write waits out a new mount's upgrade (the metadata
        # write would fail with 400 instead).
        assert any(dep.endswith("::kv-config") for dep in endpoint["_r"].dependencies)
    # No resource writes under the data/ path of a key, nor any KV secret resource at all.
    assert not [r for r in resources if r.type in ("vault:kv/secretV2:SecretV2", "vault:kv/secret:Secret")]
    assert not [r for r in of_type(resources, ENDPOINT) if "/data/ai/" in r.inputs["path"]]


def test_format_period_round_trips_through_the_config_parser() -> None:
    from infra.config import _parse_duration

    for seconds in (86_400, 7_776_000, 3_600 * 36, 90 * 60, 61):
        assert _parse_duration(format_period(seconds)) == seconds


def test_keys_auditor_role_is_bound_to_the_report_workflow_on_main(declared) -> None:
    c = cfg()
    role = next(
        r.inputs for r in of_type(declared("prod"), JWT_ROLE) if r.inputs["roleName"] == "keys-auditor"
    )
    assert role["boundClaims"] == {
        "repository_id": str(c.deployer.repository_id),
        "repository_owner_id": str(c.deployer.repository_owner_id),
        "ref": "refs/heads/main",
        "event_name": "schedule,workflow_dispatch",
        "job_workflow_ref": "acme/vault-platform/.github/workflows/keys-overdue.yml@refs/heads/main",
    }
    assert role["boundClaimsType"] == "string"  # no globs
    assert role["boundAudiences"] == [c.deployer.oidc_audience()]
    assert sorted(role["tokenPolicies"]) == ["ai-keys-auditor", "token-self"]
    assert role["tokenTtl"] == role["tokenMaxTtl"] == 600
    assert role["tokenNoDefaultPolicy"] is True


def _paths(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for block in hcl2.loads(text).get("path", []):
        for path, body in block.items():
            out[path.strip('"')] = [c.strip('"') for c in body["capabilities"]]
    return out


def test_rotator_reaches_exactly_the_declared_keys_and_never_destroys() -> None:
    c = cfg()
    text = next(p.text for p in acl.ai_key_policies(c) if p.name == acl.AI_KEYS_ROTATOR)
    expected: dict[str, list[str]] = {}
    for service, key in c.provider_keys():
        expected[f"kv/data/ai/providers/{key.provider}/{service.name}"] = [
            "create",
            "update",
            "read",
            "delete",
        ]
        expected[f"kv/metadata/ai/providers/{key.provider}/{service.name}"] = ["read", "patch"]
    assert _paths(text) == expected  # no destroy/ path, no metadata delete
    # The metadata patch may carry custom_metadata only: never max_versions or delete_version_after.
    for block in hcl2.loads(text)["path"]:
        for path, body in block.items():
            if "/metadata/" in path:
                params = body["allowed_parameters"]
                names = [k.strip('"') for k in (params[0] if isinstance(params, list) else params)]
                assert names == ["custom_metadata"], path


def test_auditor_reads_the_declared_keys_metadata_only() -> None:
    c = cfg()
    text = next(p.text for p in acl.ai_key_policies(c) if p.name == acl.AI_KEYS_AUDITOR)
    expected = {"kv/metadata/ai/providers/": ["list"]}
    expected |= {f"kv/metadata/ai/providers/{p}/": ["list"] for p in c.kv.ai_providers}
    expected |= {f"kv/metadata/ai/providers/{k.provider}/{s.name}": ["read"] for s, k in c.provider_keys()}
    assert _paths(text) == expected


@pytest.mark.parametrize("stack", STACKS)
def test_new_policies_lint_clean(stack: str) -> None:
    for policy in acl.ai_key_policies(cfg(stack)):
        findings = lint_policy_text(policy.text, policy.name)
        assert [f for f in findings if not f.exempted] == [], policy.name
        # The one exemption: the rotator's metadata patch (custom_metadata only), per declared key.
        keys = {f"kv/metadata/ai/providers/{k.provider}/{s.name}" for s, k in cfg(stack).provider_keys()}
        expected = {("VP-ACL-011", path) for path in keys} if policy.name == acl.AI_KEYS_ROTATOR else set()
        assert {(f.rule_id, f.path) for f in findings} == expected


def test_the_linter_would_catch_a_broad_rotator() -> None:
    """The shape the rotator avoids on purpose: one glob over every key with destroy."""
    broad = 'path "kv/data/*" { capabilities = ["read", "update"] }\npath "kv/destroy/ai/providers/x/y" { capabilities = ["update"] }\n'
    rules = {f.rule_id for f in lint_policy_text(broad, "broad")}
    assert {"VP-ACL-008", "VP-ACL-011"} <= rules


@pytest.mark.parametrize(
    ("service_kv", "message"),
    [
        (
            {"own": "read", "ai_providers": ["openai"]},
            "kv.ai_keys: providers [] must list each of kv.ai_providers ['openai']",
        ),
        (
            {"own": "read", "ai_keys": [{"provider": "openai", "owner": "a@b.c", "ticket": "SEC-1"}] * 2},
            "exactly once",
        ),
        ({"own": "read", "ai_keys": [{"provider": "openai", "owner": "a\nb", "ticket": "SEC-1"}]}, "owner="),
        (
            {"own": "read", "ai_keys": [{"provider": "openai", "owner": "a@b.c", "ticket": "see slack"}]},
            "ticket=",
        ),
        (
            {
                "own": "read",
                "ai_keys": [
                    {"provider": "openai", "owner": "a@b.c", "ticket": "SEC-1", "rotation_period": "400d"}
                ],
            },
            "between 1d and 365d",
        ),
        (
            {
                "own": "read",
                "ai_keys": [{"provider": "openai", "owner": "a@b.c", "ticket": "SEC-1", "ownr": "x"}],
            },
            "unknown key",
        ),
        (
            {"own": "read", "ai_keys": [{"provider": "mistral", "owner": "a@b.c", "ticket": "SEC-1"}]},
            "'mistral' not in kv.ai_providers",
        ),
    ],
)
def test_key_metadata_errors_name_the_key_and_the_fix(service_kv: dict[str, Any], message: str) -> None:
    raw = read_stack_config("local")
    raw["services"][0]["kv"] = service_kv
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_stack_config(raw)


def test_ai_providers_are_derived_from_ai_keys() -> None:
    gateway = next(s for s in cfg("local").services if s.name == "ai-gateway")
    assert gateway.kv.ai_providers == [k.provider for k in gateway.kv.ai_keys] == ["openai", "anthropic"]
