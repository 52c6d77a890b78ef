"""Path patterns: concrete matching with the server's semantics, and what a pattern can reach."""

from __future__ import annotations

import pytest

from policies.rules import effective_capabilities, matches, parse_acl
from policies.rules.acl_paths import is_catch_all, literal_head, reaches, select_rule, within


@pytest.mark.parametrize(
    ("pattern", "target"),
    [
        ("*", "sys"),
        ("sys/*", "sys/mounts"),
        ("s*", "sys/mounts"),  # a prefix glob may end mid-segment
        ("auth/+/role/x", "auth/+/role"),
        ("auth/token/create-orphan", "auth/token/create*"),
        ("auth/token/c*", "auth/token/create*"),
        ("transit/keys/*", "+/keys/+$"),  # the glob can stop at exactly the target path
        ("kv/+/app/*", "+/destroy"),
        # a template matches anything in its segment
        ("kv/data/{{identity.entity.id}}/x", "kv/data/config"),
        ("{{identity.entity.metadata.mount}}/config", "+/config"),
    ],
)
def test_pattern_reaches_target(pattern: str, target: str) -> None:
    assert reaches(pattern, target)


@pytest.mark.parametrize(
    ("pattern", "target"),
    [
        ("kv/data/*", "sys"),
        ("sys/leases/renew", "sys/leases/revoke-prefix"),
        ("auth/token", "auth/token/create*"),  # an exact path shorter than the target is not inside it
        ("transit/keys/app/rotate", "+/keys/+$"),  # deeper than an exact target
        ("transit/keys/app/*", "+/keys/+$"),
        ("kv/data/{{identity.entity.id}}/x", "kv/data/config/y"),
    ],
)
def test_pattern_does_not_reach_target(pattern: str, target: str) -> None:
    assert not reaches(pattern, target)


@pytest.mark.parametrize("pattern", ["*", "+", "+/*", "+/data/*", "{{identity.entity.metadata.mount}}/x"])
def test_catch_all_patterns(pattern: str) -> None:
    assert is_catch_all(pattern)


def test_literal_head_stops_at_the_first_wildcard_or_template() -> None:
    assert literal_head("kv/data/{{identity.entity.id}}/*") == "kv/data/"
    assert literal_head("kv/+/x") == "kv/"
    assert literal_head("sys/policies/acl/*") == "sys/policies/acl/"


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("kv/data/a", "kv/data/a", True),
        ("kv/data/a", "kv/data/a/b", False),
        ("kv/*", "kv/data", True),  # a plain prefix crosses `/` and needs no segment
        ("kv/*", "kv", False),
        ("kv/d*", "kv/data/x", True),
        ("kv/+/x", "kv/data/x", True),
        ("kv/+/x", "kv/data/x/y", False),
        ("kv/+/*", "kv/data", False),  # `+` with a glob needs the glob's segment (vault/acl.go)
        ("kv/+/*", "kv/data/", True),
        ("kv/+/a*", "kv/data/abc/d", True),
        ("a/+", "a/", True),  # `+` matches an empty segment
        ("/sys/mounts", "sys/mounts", True),
        ("secret/{{identity.entity.name}}/*", "secret/anyone/x", True),
    ],
)
def test_matches_follows_the_server(pattern: str, path: str, expected: bool) -> None:
    assert matches(pattern, path) is expected


def test_effective_capabilities_take_the_most_specific_rule() -> None:
    policy = parse_acl(
        'path "kv/data/*" { capabilities = ["read"] }\n'
        'path "kv/data/payments/*" { capabilities = ["deny"] }\n'
        'path "kv/+/payments/public" { capabilities = ["list"] }\n'
        'path "kv/data/payments/public" { capabilities = ["read", "update"] }\n'
    )
    assert effective_capabilities([policy], "kv/data/app") == {"read"}
    assert effective_capabilities([policy], "kv/data/payments/x") == frozenset()
    assert effective_capabilities([policy], "kv/data/payments/public") == {"read", "update"}
    assert effective_capabilities([policy], "kv/metadata/payments/public") == {"list"}
    assert effective_capabilities([policy], "transit/x") == frozenset()


def test_segment_wildcards_prefer_the_later_first_wildcard() -> None:
    policy = parse_acl(
        'path "a/+/c/d" { capabilities = ["read"] }\npath "a/b/+/d" { capabilities = ["list"] }\n'
        'path "a/*" { capabilities = ["update"] }\n'
    )
    rule = select_rule(policy.paths, "a/b/c/d")
    assert rule is not None and rule.path == "a/b/+/d"


def test_effective_capabilities_merge_policies_like_duplicate_blocks() -> None:
    one = parse_acl('path "x/y" { capabilities = ["read"] }')
    two = parse_acl('path "x/y" { capabilities = ["update"] }')
    deny = parse_acl('path "x/y" { capabilities = ["deny"] }')
    assert effective_capabilities([one, two], "x/y") == {"read", "update"}
    assert effective_capabilities([one, deny, two], "x/y") == frozenset()


@pytest.mark.parametrize(
    ("inner", "outer", "expected"),
    [
        ("sys/policies/acl/svc-a", "sys/policies/acl/svc-*", True),
        ("sys/policies/acl/svc-*", "sys/policies/acl/svc-*", True),
        ("sys/policies/acl/svc-a*", "sys/policies/acl/svc-*", True),
        ("sys/policies/acl/*", "sys/policies/acl/svc-*", False),
        ("a/b/c", "a/+/c", True),
        ("a/+/c", "a/b/c", False),
        ("a/+/c", "a/+/c", True),
        ("a/b/*", "a/+/c", False),
        ("x/y/*", "x/*", True),
        ("x", "x/*", False),
        ("x/y", "x/y/*", False),
        ("*", "*", True),
        ("a/b", "a/b/c", False),
    ],
)
def test_within_is_pattern_containment(inner: str, outer: str, expected: bool) -> None:
    assert within(inner, outer) is expected


@pytest.mark.parametrize(
    ("rules", "path", "winner"),
    [
        (["a/+/c/d", "a/b/+/d"], "a/b/c/d", "a/b/+/d"),  # the later first wildcard wins
        (["a/b/+/d", "a/+/c/d"], "a/b/c/d", "a/b/+/d"),
        (["+/b/c", "a/+/c"], "a/b/c", "a/+/c"),
        (["a/+/c*", "a/+/c"], "a/b/c", "a/+/c"),  # then not a prefix
        (["a/+/c", "a/+/c*"], "a/b/c", "a/+/c"),
        (["a/+/+/d", "a/+/c/d"], "a/b/c/d", "a/+/c/d"),  # then fewer `+`
        (["a/+/c/d", "a/+/+/d"], "a/b/c/d", "a/+/c/d"),
        (["a/+/c*", "a/+/cd*"], "a/b/cde", "a/+/cd*"),  # then longer
        (["a/+/cd*", "a/+/c*"], "a/b/cde", "a/+/cd*"),
        (["a/b/*", "a/+/c"], "a/b/c", "a/b/*"),  # a prefix rule's first glob is where its `*` is
        (["a/+/c", "a/b/*"], "a/b/c", "a/b/*"),
        (["a/*", "a/+/c"], "a/b/c", "a/+/c"),
        (["a/b*", "a/b/c*"], "a/b/cd", "a/b/c*"),  # the longest prefix
        (["a/b/c", "a/*"], "a/b/c", "a/b/c"),  # exact first
        (["x/*", "a/+/c"], "a/b/c", "a/+/c"),
        (["x/*"], "a/b/c", None),
    ],
)
def test_the_server_picks_the_most_specific_rule(rules: list[str], path: str, winner: str | None) -> None:
    policy = parse_acl("".join(f'path "{rule}" {{ capabilities = ["read"] }}\n' for rule in rules))
    chosen = select_rule(policy.paths, path)
    assert (chosen.path if chosen else None) == winner


def test_matches_with_templates_and_plus_segments() -> None:
    assert matches("kv/+/{{identity.entity.id}}", "kv/data/abc")
    assert not matches("kv/+/{{identity.entity.id}}", "kv/data/abc/d")
    assert matches("kv/{{identity.entity.id}}*", "kv/anything/below")
    assert not matches("kv/+/x", "kv/data/y")
    assert matches("+", "kv") and not matches("+", "kv/data")
    assert matches("kv/+/x*", "kv/d/x") and not matches("kv/+/x*", "kv/d/y")
