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


# --- the server's decoding and merge semantics (each checked on OpenBao 2.7.2 by the agreement test) ---


def test_repeated_capabilities_attributes_are_appended() -> None:
    (rule,) = parse_policy('path "a" {\n capabilities = ["read"]\n capabilities = ["update"]\n}').paths
    assert rule.grants == {"read", "update"}


def test_repeated_policy_keeps_the_last_value() -> None:
    (rule,) = parse_policy('path "a" {\n policy = "read"\n policy = "sudo"\n}').paths
    assert "sudo" in rule.grants
    (rule,) = parse_policy('path "a" {\n policy = "sudo"\n policy = "deny"\n}').paths
    assert rule.grants == frozenset()


def test_policy_and_capabilities_add_up() -> None:
    (rule,) = parse_policy('path "a" {\n policy = "read"\n capabilities = ["update"]\n}').paths
    assert rule.grants == {"read", "list", "update"}


def test_label_less_path_is_a_rule_for_the_path_named_path() -> None:
    (rule,) = parse_policy('path = { capabilities = ["read"] }').paths
    assert rule.path == "path"


def test_json_duplicate_keys_merge() -> None:
    (rule,) = parse_policy(
        '{"path": {"a": {"capabilities": ["read"]}, "a": {"capabilities": ["update"]}}}'
    ).paths
    assert rule.grants == {"read", "update"}


def test_numbers_decode_as_their_text_like_the_server() -> None:
    with pytest.raises(PolicyParseError, match="invalid capability '1'"):
        parse_policy('path "a" { capabilities = [1] }')
    assert parse_policy('name = 5\npath "a" { capabilities = ["read"] }').name == "5"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('path "a" { capabilities = [true] }', "is not a string"),
        ('path "a" "b" { capabilities = ["read"] }', "exactly one label"),
        ('path "a" = "x"', "nested object expected"),
        ("path = [1]", "body must be a block"),
        ('path "a" { capabilities "x" { } }', "assigned with `=`"),
        ('path "a" { allowed_parameters = ["x"] }', "must be a map"),
        ('path "a" { allowed_parameters = { "k" "j" = [] } }', "nested object expected"),
        ('path "a" { required_parameters = "x" }', "list of strings"),
        ('path "a" { required_parameters = [true] }', "list of strings"),
        ('path "a" { mfa_methods = [{}] }', "list of strings"),
        ('path "a" { min_wrapping_ttl = [] }', "not a duration"),
        ('path "a" { control_group = "x" }', "control_group must be a block"),
        ('path "a" { control_group = { bogus = 1 } }', "control_group: invalid key 'bogus'"),
        ('name = true\npath "a" {}', "`name` must be a string"),
        ('path "a" { expiration = "2030-01-01T00:00:00Z" }', "OpenBao only"),
        ('path "a" {\n capabilities = ["deny"]\n allowed_parameters = { "k" = "v" }\n}', "must be a list"),
    ],
)
def test_forms_the_server_refuses(text: str, fragment: str) -> None:
    with pytest.raises(PolicyParseError) as error:
        parse_policy(text)
    assert fragment in str(error.value)


def test_parameters_are_merged_as_the_server_merges_them() -> None:
    text = (
        'path "p" {\n capabilities = ["update"]\n}\n'
        'path "p" {\n capabilities = ["read"]\n allowed_parameters = { "Lease_ID" = ["a"] }\n}\n'
        'path "p" {\n capabilities = ["list"]\n allowed_parameters = { "lease_id" = ["b"], "x" = [] }\n}\n'
        'path "p" {\n allowed_parameters = { "x" = ["y"] }\n required_parameters = ["x", "z"]\n}\n'
    )
    (rule,) = parse_policy(text).paths
    assert rule.grants == {"update", "read", "list"}
    assert rule.allowed_parameters == {"lease_id": ("b", "a"), "x": ()}
    assert rule.required_parameters == ("x", "z")
    assert rule.parameter_values("LEASE_ID") == ("b", "a")
    assert rule.parameter_values("x") is None
    assert rule.parameter_values("other") == ()


def test_an_empty_allowed_map_restricts_nothing_until_a_block_restricts_it() -> None:
    (rule,) = parse_policy('path "p" {\n capabilities = ["update"]\n allowed_parameters = {}\n}').paths
    assert rule.allowed_parameters == {} and rule.parameter_values("x") is None
    text = 'path "p" {\n capabilities = ["update"]\n allowed_parameters = {}\n}\n'
    text += 'path "p" {\n allowed_parameters = { "x" = ["1"] }\n}\n'
    (rule,) = parse_policy(text).paths
    assert rule.parameter_values("x") == ("1",) and rule.parameter_values("y") == ()


def test_parameter_values_follow_denied_and_wildcard_keys() -> None:
    def values(body: str, name: str = "k") -> tuple[str, ...] | None:
        (rule,) = parse_policy(f'path "p" {{\n capabilities = ["update"]\n{body}\n}}').paths
        return rule.parameter_values(name)

    assert values('allowed_parameters = { "*" = [] }') is None
    assert values('allowed_parameters = { "*" = [], "k" = ["v"] }') == ("v",)
    assert values('allowed_parameters = { "*" = [], "j" = ["v"] }') is None
    assert values('denied_parameters = { "*" = [] }') == ()
    assert values('denied_parameters = { "k" = [] }') == ()
    assert values('denied_parameters = { "k" = ["x"] }') is None
    assert values("") is None


def test_deny_resets_parameters_and_later_blocks_are_ignored() -> None:
    text = (
        'path "p" {\n capabilities = ["update"]\n allowed_parameters = { "k" = ["v"] }\n}\n'
        'path "p" {\n capabilities = ["deny"]\n}\n'
        'path "p" {\n capabilities = ["read"]\n}\n'
    )
    (rule,) = parse_policy(text).paths
    assert rule.capabilities == {"deny"} and rule.allowed_parameters is None


def test_wrapping_ttls_take_the_smaller_bound_and_accept_seconds() -> None:
    text = (
        'path "p" {\n capabilities = ["read"]\n min_wrapping_ttl = 120\n max_wrapping_ttl = "2h"\n}\n'
        'path "p" {\n min_wrapping_ttl = "1m"\n max_wrapping_ttl = "3h"\n}\n'
    )
    (rule,) = parse_policy(text).paths
    assert (rule.min_wrapping_ttl, rule.max_wrapping_ttl) == (60, 7200)


def test_policy_finds_its_rule_by_path() -> None:
    policy = parse_policy('path "a" { capabilities = ["read"] }')
    assert policy.rule("a") is not None and policy.rule("b") is None


@pytest.mark.parametrize(
    "body",
    [
        'allowed_parameters = { "k" = "v" }',
        'denied_parameters = ["k"]',
        'required_parameters = "x"',
        'min_wrapping_ttl = "soon"',
        'max_wrapping_ttl = "soon"',
    ],
)
def test_a_denying_block_is_still_validated_like_any_other(body: str) -> None:
    with pytest.raises(PolicyParseError, match=r"^path 'p': "):
        parse_policy(f'path "p" {{\n capabilities = ["deny"]\n {body}\n}}')


def test_merging_keeps_the_smaller_non_zero_wrapping_bounds_in_any_order() -> None:
    def bounds(*blocks: str) -> tuple[float, float]:
        text = "".join(f'path "p" {{\n capabilities = ["read"]\n {b}\n}}\n' for b in blocks)
        (rule,) = parse_policy(text).paths
        return rule.min_wrapping_ttl, rule.max_wrapping_ttl

    assert bounds('max_wrapping_ttl = "2h"', 'max_wrapping_ttl = "1h"') == (0, 3600)
    assert bounds('max_wrapping_ttl = "1h"', 'max_wrapping_ttl = "2h"') == (0, 3600)
    assert bounds("", 'max_wrapping_ttl = "1h"') == (0, 3600)
    assert bounds('max_wrapping_ttl = "1h"', "") == (0, 3600)
    assert bounds('min_wrapping_ttl = "2m"', 'min_wrapping_ttl = "1m"') == (60, 0)
    assert bounds('min_wrapping_ttl = "1m"', 'min_wrapping_ttl = "2m"') == (60, 0)
    assert bounds("", 'min_wrapping_ttl = "1m"') == (60, 0)
    assert bounds('min_wrapping_ttl = "1m"', "") == (60, 0)
    assert bounds("min_wrapping_ttl = 1", 'min_wrapping_ttl = "1m"') == (1, 0)
    assert bounds('min_wrapping_ttl = "1m"', "min_wrapping_ttl = 1") == (1, 0)
    assert bounds('max_wrapping_ttl = "1m"', "max_wrapping_ttl = 1") == (0, 1)


def test_merging_denied_parameters_and_required_ones() -> None:
    text = (
        'path "p" {\n capabilities = ["update"]\n denied_parameters = { "a" = ["1"] }\n required_parameters = ["x"]\n}\n'
        'path "p" {\n denied_parameters = { "a" = ["2"], "b" = [] }\n required_parameters = ["x", "y"]\n}\n'
        'path "p" {\n denied_parameters = { "b" = ["3"] }\n}\n'
    )
    (rule,) = parse_policy(text).paths
    assert rule.denied_parameters == {"a": ("2", "1"), "b": ()}
    assert rule.required_parameters == ("x", "y")
    (rule,) = parse_policy(
        'path "p" {\n capabilities = ["update"]\n}\npath "p" {\n denied_parameters = { "a" = ["1"] }\n}\n'
    ).paths
    assert rule.denied_parameters == {"a": ("1",)}


def test_first_block_parameters_are_copied_not_shared() -> None:
    text = (
        'path "p" {\n capabilities = ["update"]\n allowed_parameters = { "a" = ["1"] }\n}\n'
        'path "p" {\n allowed_parameters = { "a" = ["2"] }\n}\n'
    )
    first, second = (
        parse_policy(text).paths[0],
        parse_policy('path "p" {\n allowed_parameters = { "a" = ["1"] }\n}').paths[0],
    )
    assert first.allowed_parameters == {"a": ("2", "1")}
    assert second.allowed_parameters == {"a": ("1",)}


def test_deny_in_a_later_block_wins_and_an_earlier_deny_ignores_later_grants() -> None:
    deny_later = parse_policy('path "p" { capabilities = ["read"] }\npath "p" { capabilities = ["deny"] }')
    deny_first = parse_policy('path "p" { capabilities = ["deny"] }\npath "p" { capabilities = ["read"] }')
    assert deny_later.paths[0].capabilities == deny_first.paths[0].capabilities == {"deny"}


def test_merge_rules_merges_rules_of_several_policies() -> None:
    from policies.rules.acl_model import merge_rules

    one = parse_policy(
        'path "p" {\n capabilities = ["read"]\n allowed_parameters = { "a" = ["1"] }\n denied_parameters = { "d" = [] }\n'
        ' required_parameters = ["r"]\n min_wrapping_ttl = "1m"\n max_wrapping_ttl = "1h"\n}'
    )
    two = parse_policy('path "p" {\n capabilities = ["list"]\n allowed_parameters = { "a" = ["2"] }\n}')
    (merged,) = merge_rules([*one.paths, *two.paths])
    assert merged.grants == {"read", "list"}
    assert merged.allowed_parameters == {"a": ("2", "1")} and merged.denied_parameters == {"d": ()}
    assert (merged.required_parameters, merged.min_wrapping_ttl, merged.max_wrapping_ttl) == (
        ("r",),
        60,
        3600,
    )
    assert merge_rules([*two.paths]) == two.paths


def test_name_must_be_a_single_string_or_number() -> None:
    assert parse_policy('name = "n"\npath "a" {}').name == "n"
    for text in ('name "x" { }', "name = [1]", "name = 1.5", "name = {}"):
        with pytest.raises(PolicyParseError, match="`name` must be a string"):
            parse_policy(text + '\npath "a" {}')


def test_parameter_values_of_nested_and_scalar_kinds_are_kept() -> None:
    (rule,) = parse_policy(
        'path "p" {\n capabilities = ["update"]\n allowed_parameters = { "a" = [1, true, [2], {x = 3}] }\n}'
    ).paths
    assert rule.allowed_parameters == {"a": ("1", True, ("2",), {"x": "3"})}


@pytest.mark.parametrize(
    "text", ['{"name": {"a": {}}}', '{"name": [{"a": {}}]}', '{"name": {"a": 1, "b": {}}}', '{"name": [1]}']
)
def test_json_errors_name_line_1(text: str) -> None:
    with pytest.raises(PolicyParseError, match=r"^line 1: `name` must be a string$"):
        parse_policy(text)
