"""Each ACL rule: one policy that fires it and a near miss that must not."""

from __future__ import annotations

import pytest

from policies.rules import lint_policy_text
from policies.rules.catalog import ACL_RULE_IDS


def _block(path: str, *capabilities: str, extra: str = "") -> str:
    quoted = ", ".join(f'"{c}"' for c in capabilities)
    return f'path "{path}" {{\n  capabilities = [{quoted}]\n{extra}}}\n'


_SHARE = '# lint:share from="billing" path="kv/data/apps/billing/invoices"\n'
_REVOKE_OWN = '  allowed_parameters = {\n    "lease_id" = ["database/creds/app-a/*"]\n  }\n'
_REVOKE_ANY = '  allowed_parameters = {\n    "lease_id" = ["*"]\n  }\n'

# (rule, fires, near miss that stays quiet, policy name)
CASES: list[tuple[str, str, str, str | None]] = [
    ("VP-ACL-001", _block("*", "list"), _block("*", "deny"), None),
    ("VP-ACL-001", _block("+/metadata/*", "list"), _block("kv/metadata/app-a/*", "list"), None),
    ("VP-ACL-001", _block("{{identity.entity.metadata.mount}}/data/x", "read"), _block("kv/data/app-a/x", "read"), None),
    ("VP-ACL-002", _block("kv/data/app-a", "read", "sudo"), _block("kv/data/app-a", "read"), None),
    ("VP-ACL-003", _block("sys/leases/revoke-force/x", "update"), _block("sys/leases/renew", "update"), None),
    ("VP-ACL-003", _block("sys/wrapping/*", "update"), _block("sys/wrapping/unwrap", "update"), None),
    ("VP-ACL-003", _block("sys/mounts", "update"), _block("sys/mounts", "read"), None),
    ("VP-ACL-003", _block("sys/metrics", "update"), _block("sys/metrics", "read"), None),
    ("VP-ACL-003", _block("sys/leases/revoke", "update", extra=_REVOKE_ANY),
     _block("sys/leases/revoke", "update", extra=_REVOKE_OWN), None),
    ("VP-ACL-003", _block("sys/leases/revoke", "update"), _block("sys/leases/revoke/database/creds/app-a/*", "update"),
     None),
    ("VP-ACL-003", _block("ns1/sys/mounts/kv", "update"), _block("ns1/sys/mounts", "read"), None),
    ("VP-ACL-004", _block("auth/token/create/ci", "update"), _block("auth/token/renew-self", "update"), None),
    ("VP-ACL-004", _block("auth/token/roles/ci", "delete"), _block("auth/token/roles/ci", "read"), None),
    ("VP-ACL-005", _block("auth/kubernetes/role/app-a", "update"), _block("auth/kubernetes/role/app-a", "read"), None),
    ("VP-ACL-005", _block("auth/jwt/config", "create"), _block("auth/jwt/login", "create", "update"), None),
    ("VP-ACL-005", _block("ns1/auth/jwt/config", "create"), _block("ns1/auth/jwt/login", "update"), None),
    ("VP-ACL-006", _block("identity/group/*", "create"), _block("identity/lookup/entity", "update"), None),
    ("VP-ACL-007", _block("sys/policy/*", "update"), _block("sys/policies/acl/app-a", "read"), None),
    ("VP-ACL-008", _block("database/creds/+", "read"), _block("database/creds/app-a", "read"), None),
    ("VP-ACL-008", _block("kv/data/*", "read"), _block("kv/data/apps/{{identity.entity.metadata.service}}/*", "read"),
     None),
    ("VP-ACL-008", _block("kv/data/apps/*", "read"), _block("kv/data/apps/app-a/*", "read"), None),
    ("VP-ACL-008", _block("kv/data/apps/+/*", "read"), _block("kv/data/apps/app-a/+/*", "read"), None),
    ("VP-ACL-008", _block("kv/data/ai/providers/openai/*", "read"),
     _block("kv/data/ai/providers/openai/app-a", "read"), None),
    ("VP-ACL-008", _block("kv/data/apps/{{identity.entity.metadata.service}}*", "read"),
     _block("kv/data/apps/{{identity.entity.metadata.service}}/x*", "read"), None),
    ("VP-ACL-008", _block("kv/data/{{identity.entity.metadata.service}}/*", "read"),
     _block("secret/data/{{identity.entity.metadata.service}}/*", "read"), None),
    ("VP-ACL-008", _block("kv/d*", "read"), _block("kv/data/app-a*", "deny"), None),
    ("VP-ACL-008", _block("kv/data/app-a*", "read"), _block("kv/data/app-a/*", "read"), None),
    ("VP-ACL-008", _block("secret/+/*", "read"), _block("secret/+/teamb", "read"), None),
    ("VP-ACL-008", _block("secret-app-a/*", "read"), _block("cubbyhole/*", "read"), None),
    ("VP-ACL-009", _block("aws/roles/app-a", "update"), _block("aws/creds/app-a", "read"), None),
    ("VP-ACL-009", _block("database/static-roles/app-a", "create"), _block("database/static-creds/app-a", "read"),
     None),
    ("VP-ACL-010", _block("transit/keys/app-a/trim", "update"), _block("transit/keys/app-a/rotate", "update"), None),
    ("VP-ACL-010", _block("transit/keys/app-a", "create"), _block("transit/keys/app-a", "read"), None),
    ("VP-ACL-010", _block("transit/keys/app-a/import_version", "update"), _block("transit/keys/app-a", "read"),
     None),
    ("VP-ACL-011", _block("kv/destroy/app-a/x", "update"), _block("kv/delete/app-a/x", "update"), None),
    ("VP-ACL-011", _block("kv/metadata/app-a/x", "delete"), _block("kv/data/app-a/x", "delete"), None),
    ("VP-ACL-011", _block("kv/metadata/app-a/x", "update"), _block("kv/metadata/app-a/x", "read", "list"), None),
    ("VP-ACL-012", _block("pki/sign-verbatim", "update"), _block("pki/sign/app-a", "update"), None),
    ("VP-ACL-012", _block("pki/issuer/default/sign-intermediate", "update"), _block("pki/issue/app-a", "update"),
     None),
    ("VP-ACL-013", _block("auth/token/revoke-accessor", "update"), _block("auth/token/revoke-self", "update"), None),
    ("VP-ACL-013", _block("auth/token/lookup-accessor", "update"),
     _block("auth/token/lookup-accessor", "update", extra='  allowed_parameters = {\n    "accessor" = ["abc"]\n  }\n'),
     None),
    ("VP-ACL-013", _block("auth/token/accessors", "list"), _block("auth/token/lookup-self", "read"), None),
    ("VP-ACL-014", _block("kv/data/apps/billing/invoices", "read"), _block("kv/data/apps/reporting/x", "read"),
     "svc-reporting"),
    ("VP-ACL-014", _SHARE + _block("kv/data/apps/billing/invoices", "read", "update"),
     _SHARE + _block("kv/data/apps/billing/invoices", "read"), "svc-reporting"),
    ("VP-SHARE-001", _SHARE + _block("kv/data/apps/billing/invoices", "read"),
     _block("kv/data/apps/reporting/invoices", "read"), "svc-reporting"),
]  # fmt: skip


def _ids(text: str, name: str | None) -> set[str]:
    return {f.rule_id for f in lint_policy_text(text, "case.hcl", name=name) if not f.exempted}


_IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


@pytest.mark.parametrize(("rule_id", "fires", "quiet", "name"), CASES, ids=_IDS)
def test_rule_fires_on_the_violation(rule_id: str, fires: str, quiet: str, name: str | None) -> None:
    assert rule_id in _ids(fires, name)


@pytest.mark.parametrize(("rule_id", "fires", "quiet", "name"), CASES, ids=_IDS)
def test_rule_stays_quiet_on_the_near_miss(rule_id: str, fires: str, quiet: str, name: str | None) -> None:
    assert rule_id not in _ids(quiet, name)
    if rule_id != "VP-SHARE-001":
        assert {f.rule_id for f in lint_policy_text(quiet, "q.hcl", name=name) if f.violation} == set()


def test_every_acl_rule_has_a_fire_and_quiet_case() -> None:
    assert {case[0] for case in CASES} == ACL_RULE_IDS


def test_catch_all_path_reports_only_the_catch_all_and_sudo() -> None:
    text = _block("*", "create", "read", "update", "delete", "list", "sudo")
    assert _ids(text, None) == {"VP-ACL-001", "VP-ACL-002"}


def test_deny_in_the_same_block_overrides_other_capabilities() -> None:
    assert _ids(_block("sys/*", "read", "sudo", "deny"), None) == set()


def test_duplicate_path_blocks_are_merged_like_vault_merges_them() -> None:
    text = _block("kv/destroy/app-a/*", "read") + _block("kv/destroy/app-a/*", "update")
    assert _ids(text, None) == {"VP-ACL-011"}


def test_duplicate_capabilities_attributes_are_appended_like_the_server_does() -> None:
    text = 'path "auth/token/create" {\n  capabilities = ["update"]\n  capabilities = ["read"]\n}\n'
    assert _ids(text, None) == {"VP-ACL-004"}


def test_a_restricting_block_narrows_an_unrestricted_one_as_the_server_merges_them() -> None:
    text = _block("sys/leases/revoke", "update") + _block("sys/leases/revoke", "update", extra=_REVOKE_OWN)
    assert _ids(text, None) == set()


def test_a_share_is_reported_as_advisory_not_as_a_violation() -> None:
    (finding,) = lint_policy_text(
        _SHARE + _block("kv/data/apps/billing/invoices", "read"), "p", name="svc-reporting"
    )
    assert (finding.rule_id, finding.advisory, finding.violation) == ("VP-SHARE-001", True, False)
    assert "reporting reads service billing's kv/data/apps/billing/invoices" in finding.message


def test_a_service_reads_its_own_subtree_and_provider_key_without_a_share() -> None:
    text = _block("kv/data/apps/reporting/x", "read") + _block(
        "kv/data/ai/providers/openai/reporting", "read"
    )
    assert _ids(text, "svc-reporting") == set()
    assert _ids(_block("kv/data/ai/providers/openai/billing", "read"), "svc-reporting") == {"VP-ACL-014"}


def test_message_names_the_offending_path() -> None:
    (finding,) = lint_policy_text(_block("kv/data/*", "read"), "p.hcl")
    assert 'path "kv/data/*"' in finding.message and finding.path == "kv/data/*"
    assert "\n" not in finding.message


@pytest.mark.parametrize(
    ("path", "capabilities", "expected"),
    [
        ("kv/data/apps/billing", ("read",), {"VP-ACL-014"}),  # the secret at the root of billing's subtree
        ("kv/metadata/apps/billing/x", ("read",), {"VP-ACL-014"}),
        ("kv/subkeys/apps/billing/x", ("read",), {"VP-ACL-014"}),
        ("kv/delete/apps/billing/x", ("update",), {"VP-ACL-014"}),
        ("kv/undelete/apps/billing/x", ("update",), {"VP-ACL-014"}),
        ("kv/destroy/apps/billing/x", ("update",), {"VP-ACL-014", "VP-ACL-011"}),
        ("kv/data/ai/providers/openai/billing", ("read",), {"VP-ACL-014"}),
        ("kv/data/ai/providers/openai", ("read",), set()),  # above the tenant
        ("kv/data/apps/+/x", ("read",), {"VP-ACL-008"}),  # every service: VP-ACL-008 says it
        ("kv/config", ("read",), set()),
        ("kv/data/apps", ("list",), set()),
        ("secret/data/apps/billing/x", ("read",), set()),  # a foreign mount has no services
        ("+/data/apps/billing/x", ("read",), {"VP-ACL-001"}),
    ],
)
def test_a_service_policy_reaching_another_service(
    path: str, capabilities: tuple[str, ...], expected: set[str]
) -> None:
    assert _ids(_block(path, *capabilities), "svc-reporting") == expected


def test_a_share_marker_for_another_service_or_path_does_not_declare_this_one() -> None:
    grant = _block("kv/data/apps/billing/invoices", "read")
    other_source = '# lint:share from="payroll" path="kv/data/apps/billing/invoices"\n'
    other_path = '# lint:share from="billing" path="kv/data/apps/billing/other"\n'
    assert "VP-ACL-014" in _ids(other_source + grant, "svc-reporting")
    assert "VP-ACL-014" in _ids(other_path + grant, "svc-reporting")


@pytest.mark.parametrize(
    ("path", "fires"),
    [
        ("kv/data/ai/p*", True),  # a partial glob where `providers` goes
        ("kv/data/ai/x*", False),  # cannot be `providers`: stays in the subtree `ai/x...`
        ("kv/data/ai/providers/*", True),
        ("kv/data/ai/+/openai/app-a", False),  # `+` can only be `providers` here: one tenant
        ("kv/data/ai/+/+/app-a", True),
    ],
)
def test_partial_globs_inside_a_configured_tenant_root(path: str, fires: bool) -> None:
    assert ("VP-ACL-008" in _ids(_block(path, "read"), None)) is fires


@pytest.mark.parametrize(
    ("path", "fires"),
    [
        ("sys/leases/revoke/database/creds/app-a/*", False),
        ("sys/revoke/database/creds/app-a/x", False),
        ("sys/leases/revoke/database/creds/*", True),
        ("sys/leases/revoke/", True),
        ("sys/leases/revoke/+/creds/app-a/x", True),
        ("sys/leases/revoke-prefix/database/creds/app-a", True),
    ],
)
def test_lease_revoke_in_the_url_is_judged_by_the_lease_it_names(path: str, fires: bool) -> None:
    assert ("VP-ACL-003" in _ids(_block(path, "update"), None)) is fires
    assert "VP-ACL-003" in _ids(_block(path, "update", "delete"), None)


@pytest.mark.parametrize(
    ("parameters", "fires"),
    [
        ('"accessor" = ["a1", "a2"]', False),
        ('"accessor" = ["a*"]', True),
        ('"accessor" = []', True),
        ('"other" = []', False),  # accessor not allowed at all
        ('"*" = []', True),
    ],
)
def test_accessor_operations_pinned_by_allowed_parameters(parameters: str, fires: bool) -> None:
    extra = f"  allowed_parameters = {{\n    {parameters}\n  }}\n"
    assert ("VP-ACL-013" in _ids(_block("auth/token/revoke-accessor", "update", extra=extra), None)) is fires


@pytest.mark.parametrize(
    ("path", "capabilities", "fires"),
    [
        ("sys/mounts/kv", ("read",), False),  # one mount's config: what sys/mounts lists anyway
        ("sys/mounts/auth/jwt/tune", ("read",), False),
        ("sys/mounts/kv", ("read", "update"), True),
        ("sys/mounts/*", ("read",), True),
        ("sys/mounts/+/tune", ("read",), True),
        ("sys/tools/hash/*", ("update",), False),
    ],
)
def test_read_only_status_of_one_mount(path: str, capabilities: tuple[str, ...], fires: bool) -> None:
    assert ("VP-ACL-003" in _ids(_block(path, *capabilities), None)) is fires
