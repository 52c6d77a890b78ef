"""Policies are generated from policies/acl templates: one per service plus the shared ones."""

from __future__ import annotations

import re
from pathlib import Path

import hcl2
import pytest

from infra.config import parse_stack_config
from infra.harness import REPO_ROOT, read_stack_config
from infra.vault import acl
from tests.conftest import STACKS, of_type

POLICY = "vault:index/policy:Policy"
SHARED = {"kv-own-read", "kv-own-write", "token-self", "snapshot", "deployer", "previewer"}


def _paths(text: str) -> dict[str, list[str]]:
    parsed = hcl2.loads(text)
    out: dict[str, list[str]] = {}
    for block in parsed.get("path", []):
        for path, body in block.items():
            out.setdefault(path.strip('"'), []).extend(c.strip('"') for c in body["capabilities"])
    return out


@pytest.mark.parametrize("stack", STACKS)
def test_one_policy_per_service_plus_shared(declared, stack: str) -> None:
    cfg = parse_stack_config(read_stack_config(stack))
    names = {r.inputs["name"] for r in of_type(declared(stack), POLICY)}
    people = {p.name for p in acl.human_policies(cfg)}
    # Provider keys' rotator and auditor, and the OpenAI plugin's templated creds policy (issue 17).
    ai_keys = {"ai-keys-rotator", "ai-keys-auditor"} | ({"openai-creds"} if cfg.openai else set())
    assert names == SHARED | ai_keys | {f"svc-{s.name}" for s in cfg.services} | people


@pytest.mark.parametrize("stack", STACKS)
def test_service_policy_grants_exactly_its_catalog_entry(stack: str) -> None:
    cfg = parse_stack_config(read_stack_config(stack))
    for service in cfg.services:
        paths = _paths(acl.service_policy(service, cfg).text)
        expected: dict[str, list[str]] = {}
        for provider in service.kv.ai_providers:
            expected[f"{cfg.kv.path}/data/ai/providers/{provider}/{service.name}"] = ["read"]
        for path in service.kv.read:
            expected[f"{cfg.kv.path}/data/{path}"] = ["read"]
        if service.database_role:
            expected[f"{cfg.database.path}/creds/{service.database_role}"] = ["read"]
        if service.aws_role:
            expected[f"{cfg.aws.path}/creds/{service.aws_role}"] = ["read"]
        for grant in service.transit:
            for op in grant.operations:
                expected[f"{cfg.transit.path}/{op}/{grant.key}"] = ["update"]
        assert paths == expected, service.name


def test_encrypt_and_decrypt_are_separate_grants() -> None:
    cfg = parse_stack_config(read_stack_config("prod"))
    analytics = next(s for s in cfg.services if s.name == "analytics")
    paths = _paths(acl.service_policy(analytics, cfg).text)
    assert "transit/encrypt/analytics-events" in paths
    assert not any("decrypt" in p for p in paths)


def test_own_subtree_policy_is_identity_templated_on_admin_set_metadata() -> None:
    cfg = parse_stack_config(read_stack_config("local"))
    texts = {p.name: p.text for p in acl.shared_policies(cfg)}
    for name in ("kv-own-read", "kv-own-write"):
        paths = _paths(texts[name])
        assert all("{{identity.entity.metadata.service}}" in p for p in paths), name
    capabilities = {c for caps in _paths(texts["kv-own-write"]).values() for c in caps}
    assert capabilities == {"create", "update", "read", "list"}


def test_no_policy_has_a_glob_from_catalog_values() -> None:
    # Catalog values are validated plain segments; the only globs are fixed template text.
    for stack in STACKS:
        cfg = parse_stack_config(read_stack_config(stack))
        for service in cfg.services:
            assert "*" not in "".join(_paths(acl.service_policy(service, cfg).text)), (stack, service.name)


def test_deployer_only_covers_declared_mounts() -> None:
    prod = _paths(acl.deployer_policy(parse_stack_config(read_stack_config("prod"))).text)
    local = _paths(acl.deployer_policy(parse_stack_config(read_stack_config("local"))).text)
    assert "sys/mounts/aws" in prod and "sys/mounts/aws" not in local
    # Vault: the provider lists audit devices on refresh (sudo); no device can be written by CI.
    assert prod["sys/audit"] == ["read", "sudo"] and "sys/audit" not in local
    assert not any(path.startswith("sys/audit/") for path in prod)
    assert not any("delete" in caps for path, caps in prod.items() if path.startswith("sys/mounts"))


def test_missing_placeholder_is_an_error_not_an_empty_string() -> None:
    with pytest.raises(KeyError):
        acl.render_template("db-creds", db_mount="database")


def test_no_hand_written_policy_text_in_infra() -> None:
    offenders = [
        str(path.relative_to(REPO_ROOT))
        for path in Path(REPO_ROOT, "infra").rglob("*.py")
        if re.search(r'path\s+"[^"]*"\s*\{', path.read_text())
    ]
    assert offenders == []
