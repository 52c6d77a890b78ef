"""Parsing: Vault's syntax accepted in all its forms, and what Vault refuses refused."""

from __future__ import annotations

import pytest

from policies.rules import PolicyParseError
from policies.rules.acl_model import CAPABILITIES, parse_policy


def test_capability_vocabulary_is_what_both_vault_and_openbao_accept() -> None:
    assert frozenset({"create", "read", "update", "patch", "delete", "list", "sudo", "deny"}) == CAPABILITIES


def test_duplicate_blocks_merge_and_deny_wins() -> None:
    policy = parse_policy('path "a" { capabilities = ["read"] }\npath "a" { capabilities = ["deny"] }')
    (rule,) = policy.paths
    assert rule.grants == frozenset()


def test_old_style_policy_key_maps_to_capabilities() -> None:
    (rule,) = parse_policy('path "a" {\n  policy = "write"\n}').paths
    assert rule.grants == {"create", "read", "update", "delete", "list"}


def test_leading_slash_is_stripped_like_vault_does() -> None:
    (rule,) = parse_policy('path "/sys/mounts" { capabilities = ["read"] }').paths
    assert rule.path == "sys/mounts"


def test_json_policy_form_is_read() -> None:
    policy = parse_policy('{"path": {"a": {"capabilities": ["read"]}, "b": {"capabilities": ["list"]}}}')
    assert [r.path for r in policy.paths] == ["a", "b"]


def test_identity_templates_are_kept_in_the_path() -> None:
    (rule,) = parse_policy(
        'path "kv/data/{{identity.entity.aliases.auth_k8s_1.name}}/*" { capabilities = ["read"] }'
    ).paths
    assert rule.templated


def test_top_level_name_is_accepted() -> None:
    assert parse_policy('name = "x"\npath "a" { capabilities = ["read"] }').paths


@pytest.mark.parametrize("text", ['path "a" { capabilities = ["read", "write"] }', "path = 1", "{not json"])
def test_what_vault_refuses_is_a_parse_error(text: str) -> None:
    with pytest.raises(PolicyParseError):
        parse_policy(text)


def test_parse_error_is_a_value_error_for_callers_that_catch_those() -> None:
    assert issubclass(PolicyParseError, ValueError)
