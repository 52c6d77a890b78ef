"""`# lint:exempt RULE-ID reason: ...`: reported as exempted, never silently; bad exemptions are violations."""

from __future__ import annotations

from policies.rules import Finding, lint_policy_text

BROAD = 'path "*" {\n  capabilities = ["read"]\n}\n'


def _findings(text: str) -> list[Finding]:
    return lint_policy_text(text, "p.hcl")


def test_exemption_with_reason_marks_the_finding_exempted_and_keeps_it_visible() -> None:
    (finding,) = _findings("# lint:exempt VP-ACL-001 reason: break glass only\n" + BROAD)
    assert (finding.rule_id, finding.exempted, finding.reason) == ("VP-ACL-001", True, "break glass only")


def test_exemption_can_sit_anywhere_in_the_policy() -> None:
    (finding,) = _findings(BROAD + "   #  lint:exempt VP-ACL-001 reason:  trailing comment  \n")
    assert finding.exempted and finding.reason == "trailing comment"


def test_exemption_without_reason_is_a_violation_and_exempts_nothing() -> None:
    found = {(f.rule_id, f.exempted) for f in _findings("# lint:exempt VP-ACL-001\n" + BROAD)}
    assert found == {("VP-EXEMPT-001", False), ("VP-ACL-001", False)}


def test_exemption_of_unknown_rule_is_a_violation() -> None:
    found = _findings('# lint:exempt VP-ACL-01 reason: typo\npath "a/b" { capabilities = ["read"] }')
    assert [f.rule_id for f in found] == ["VP-EXEMPT-002"]
    assert "VP-ACL-01" in found[0].message


def test_exemption_rules_cannot_themselves_be_exempted() -> None:
    found = _findings('# lint:exempt VP-EXEMPT-001 reason: no\npath "a/b" { capabilities = ["read"] }')
    assert [f.rule_id for f in found] == ["VP-EXEMPT-002"]


def test_exemption_that_matches_nothing_is_reported_as_stale() -> None:
    found = _findings('# lint:exempt VP-ACL-002 reason: old\npath "a/b" { capabilities = ["read"] }')
    assert [f.rule_id for f in found] == ["VP-EXEMPT-003"]


def test_exemption_applies_to_its_rule_only() -> None:
    text = '# lint:exempt VP-ACL-001 reason: break glass\npath "*" { capabilities = ["sudo"] }'
    assert {(f.rule_id, f.exempted) for f in _findings(text)} == {("VP-ACL-001", True), ("VP-ACL-002", False)}


def test_a_comment_mentioning_lint_elsewhere_is_not_an_exemption() -> None:
    assert _findings('# see lint:exempt docs\npath "a/b" { capabilities = ["read"] }') == []
