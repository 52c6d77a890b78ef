"""Each ACL rule: one policy that fires it and a near miss that must not."""

from __future__ import annotations

import pytest

from policies.rules import lint_policy_text
from policies.rules.catalog import ACL_RULE_IDS


def _block(path: str, *capabilities: str) -> str:
    quoted = ", ".join(f'"{c}"' for c in capabilities)
    return f'path "{path}" {{\n  capabilities = [{quoted}]\n}}\n'


# (rule, fires, near miss that stays quiet)
CASES: list[tuple[str, str, str]] = [
    ("VP-ACL-001", _block("*", "list"), _block("*", "deny")),
    ("VP-ACL-001", _block("+/metadata/*", "list"), _block("kv/metadata/app-a/*", "list")),
    ("VP-ACL-002", _block("kv/data/app-a", "read", "sudo"), _block("kv/data/app-a", "read")),
    ("VP-ACL-003", _block("sys/leases/revoke-force/x", "update"), _block("sys/leases/renew", "update")),
    ("VP-ACL-003", _block("sys/wrapping/*", "update"), _block("sys/wrapping/unwrap", "update")),
    ("VP-ACL-004", _block("auth/token/create/ci", "update"), _block("auth/token/renew-self", "update")),
    ("VP-ACL-004", _block("auth/token/roles/ci", "delete"), _block("auth/token/roles/ci", "read")),
    (
        "VP-ACL-005",
        _block("auth/kubernetes/role/app-a", "update"),
        _block("auth/kubernetes/role/app-a", "read"),
    ),
    ("VP-ACL-005", _block("auth/jwt/config", "create"), _block("auth/jwt/login", "create", "update")),
    ("VP-ACL-006", _block("identity/group/*", "create"), _block("identity/lookup/entity", "update")),
    ("VP-ACL-007", _block("sys/policy/*", "update"), _block("sys/policies/acl/app-a", "read")),
    ("VP-ACL-008", _block("database/creds/+", "read"), _block("database/creds/app-a", "read")),
    (
        "VP-ACL-008",
        _block("kv/data/*", "read"),
        _block("kv/data/{{identity.entity.metadata.service}}/*", "read"),
    ),
    ("VP-ACL-009", _block("aws/roles/app-a", "update"), _block("aws/creds/app-a", "read")),
    (
        "VP-ACL-009",
        _block("database/static-roles/app-a", "create"),
        _block("database/static-creds/app-a", "read"),
    ),
    (
        "VP-ACL-010",
        _block("transit/keys/app-a/trim", "update"),
        _block("transit/keys/app-a/rotate", "update"),
    ),
    ("VP-ACL-010", _block("transit/keys/app-a", "create"), _block("transit/keys/app-a", "read")),
    ("VP-ACL-011", _block("kv/destroy/app-a/x", "update"), _block("kv/delete/app-a/x", "update")),
    ("VP-ACL-011", _block("kv/metadata/app-a/x", "delete"), _block("kv/data/app-a/x", "delete")),
]


def _ids(text: str) -> set[str]:
    return {f.rule_id for f in lint_policy_text(text, "case.hcl") if not f.exempted}


@pytest.mark.parametrize(
    ("rule_id", "fires", "quiet"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_rule_fires_on_the_violation(rule_id: str, fires: str, quiet: str) -> None:
    assert rule_id in _ids(fires)


@pytest.mark.parametrize(
    ("rule_id", "fires", "quiet"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_rule_stays_quiet_on_the_near_miss(rule_id: str, fires: str, quiet: str) -> None:
    assert _ids(quiet) == set()


def test_every_acl_rule_has_a_fire_and_quiet_case() -> None:
    assert {case[0] for case in CASES} == ACL_RULE_IDS


def test_catch_all_path_reports_only_the_catch_all_and_sudo() -> None:
    text = _block("*", "create", "read", "update", "delete", "list", "sudo")
    assert _ids(text) == {"VP-ACL-001", "VP-ACL-002"}


def test_deny_in_the_same_block_overrides_other_capabilities() -> None:
    assert _ids(_block("sys/*", "read", "sudo", "deny")) == set()


def test_duplicate_path_blocks_are_merged_like_vault_merges_them() -> None:
    text = _block("kv/destroy/app-a/*", "read") + _block("kv/destroy/app-a/*", "update")
    assert _ids(text) == {"VP-ACL-011"}


def test_message_names_the_offending_path() -> None:
    (finding,) = lint_policy_text(_block("kv/data/*", "read"), "p.hcl")
    assert 'path "kv/data/*"' in finding.message
    assert "\n" not in finding.message
