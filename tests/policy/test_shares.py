"""Cross-service KV reads are declared shares: refused by the config validator when they silently cross
tenants, rendered into the service's policy with a marker, reported (advisory) by the rules and in plan."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from infra.config import ConfigError, parse_stack_config
from infra.harness import read_stack_config
from infra.vault import acl
from policies.rules import lint_policy_text

SHARE = {"service": "billing", "path": "invoices/summary"}


def _config(**kv: Any) -> dict[str, Any]:
    raw = copy.deepcopy(read_stack_config("local"))
    analytics = next(s for s in raw["services"] if s["name"] == "analytics")
    analytics["kv"] = {**analytics["kv"], **kv}
    return raw


def test_a_declared_share_renders_one_exact_read_with_its_marker() -> None:
    cfg = parse_stack_config(_config(shares_from=[SHARE]))
    service = next(s for s in cfg.services if s.name == "analytics")
    text = acl.service_policy(service, cfg).text
    assert '# lint:share from="billing" path="kv/data/apps/billing/invoices/summary"' in text
    assert 'path "kv/data/apps/billing/invoices/summary" {\n  capabilities = ["read"]\n}' in text
    findings = lint_policy_text(text, "svc-analytics", name="svc-analytics")
    assert [(f.rule_id, f.advisory) for f in findings] == [("VP-SHARE-001", True)]


def test_without_the_share_the_same_grant_is_a_violation() -> None:
    text = 'path "kv/data/apps/billing/invoices/summary" {\n  capabilities = ["read"]\n}\n'
    assert [f.rule_id for f in lint_policy_text(text, "p", name="svc-analytics")] == ["VP-ACL-014"]


@pytest.mark.parametrize(
    ("read", "message"),
    [
        ("apps/billing/invoices", "inside service billing's subtree (apps/billing/); declare it as "
         "kv.shares_from: [{service: billing, path: invoices}]"),
        ("apps/billing", "inside service billing's subtree"),
        ("apps", "inside service <service>'s subtree"),
        ("ai/providers/openai/billing", "model keys under ai/ are read through kv.ai_providers"),
    ],
)  # fmt: skip
def test_kv_read_into_another_tenant_is_refused_naming_the_fix(read: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_stack_config(_config(read=[read]))
    assert f"services[analytics].kv.read={read!r}: {message}" in str(error.value)


def test_kv_read_of_shared_paths_and_of_the_own_subtree_is_accepted() -> None:
    cfg = parse_stack_config(_config(read=["shared/feature-flags", "apps/analytics/extra"]))
    assert next(s for s in cfg.services if s.name == "analytics").kv.read == [
        "shared/feature-flags",
        "apps/analytics/extra",
    ]


def test_share_from_an_unknown_service_or_itself_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"shares_from: service 'payroll' is not in the catalog"):
        parse_stack_config(_config(shares_from=[{"service": "payroll", "path": "x"}]))
    with pytest.raises(ConfigError, match=r"in its own subtree; use kv.own"):
        parse_stack_config(_config(shares_from=[{"service": "analytics", "path": "x"}]))


@pytest.mark.parametrize("path", ["invoices/*", "+/summary", "../x", "{{identity.entity.id}}"])
def test_a_share_names_one_plain_path(path: str) -> None:
    with pytest.raises(ConfigError, match="plain path"):
        parse_stack_config(_config(shares_from=[{"service": "billing", "path": path}]))


def test_plan_findings_list_each_share_as_advisory() -> None:
    from infra.harness import run_program
    from infra.plan import findings_for

    resources = run_program("local", overrides={"services": _config(shares_from=[SHARE])["services"]})
    findings = findings_for(resources)
    shares = [f for f in findings if f.rule_id == "VP-SHARE-001"]
    assert len(shares) == 1 and shares[0].advisory and not shares[0].violation
    assert "analytics reads service billing's kv/data/apps/billing/invoices/summary" in shares[0].message


def test_plan_report_lists_shares_as_notices_not_violations() -> None:
    from infra.plan.report import FindingSummary
    from policies.rules import Finding

    share = Finding("VP-SHARE-001", "declared share", "p", advisory=True)
    broad = Finding("VP-ACL-008", "too wide", "p")
    summary = FindingSummary.of([share, broad])
    assert summary.violations == (("p", "VP-ACL-008", "too wide"),)
    assert summary.notices == (("p", "VP-SHARE-001", "declared share"),)
