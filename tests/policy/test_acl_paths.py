"""Reasoning about path patterns: what a pattern can reach, following Vault's glob semantics."""

from __future__ import annotations

import pytest

from policies.rules.acl_paths import is_catch_all, literal_head, reaches


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
        ("kv/data/{{identity.entity.id}}/x", "kv/data/config"),
    ],
)
def test_pattern_does_not_reach_target(pattern: str, target: str) -> None:
    assert not reaches(pattern, target)


@pytest.mark.parametrize("pattern", ["*", "+", "+/*", "+/data/*"])
def test_catch_all_patterns(pattern: str) -> None:
    assert is_catch_all(pattern)


def test_literal_head_stops_at_the_first_wildcard_or_template() -> None:
    assert literal_head("kv/data/{{identity.entity.id}}/*") == "kv/data/"
    assert literal_head("kv/+/x") == "kv/"
    assert literal_head("sys/policies/acl/*") == "sys/policies/acl/"
