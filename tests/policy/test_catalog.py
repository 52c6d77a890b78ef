"""The rule registry: stable IDs, each declared once with a rationale and a source; README generated from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policies.rules import RULE_IDS, RULES
from policies.rules import docs as rule_docs
from policies.rules.catalog import ADVISORY_RULE_IDS, BOUNDARY_RULE_IDS, Scope
from policies.rules.registry import Rule, acl_rule, registered, rules_for_type

README = Path(__file__).resolve().parents[2] / "policies" / "README.md"


def test_rule_ids_are_unique_and_well_formed() -> None:
    assert len(RULE_IDS) == len(RULES) == len(registered())
    assert all(re.fullmatch(r"VP-[A-Z0-9]+-\d{3}", rule.rule_id) for rule in RULES)


def test_every_rule_has_a_title_a_rationale_a_source_and_types() -> None:
    assert all(rule.title and rule.why and rule.source and rule.types for rule in RULES)


def test_acl_and_resource_rules_each_have_one_check_function() -> None:
    for rule in RULES:
        assert (rule.check is not None) == (rule.scope is Scope.ACL or (rule.rule_id != "VP-SYNTAX-001"
                                            and rule.scope is Scope.RESOURCE)), rule.rule_id  # fmt: skip


def test_a_rule_cannot_be_declared_twice() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        acl_rule("VP-ACL-001", title="t", why="w", source="s")(lambda rule, view: [])


def test_boundary_and_advisory_sets() -> None:
    assert {"VP-ACL-001", "VP-ACL-003", "VP-ACL-008", "VP-ACL-013", "VP-ACL-014"} <= BOUNDARY_RULE_IDS
    assert "VP-ACL-002" not in BOUNDARY_RULE_IDS and "VP-ACL-011" not in BOUNDARY_RULE_IDS
    assert {"VP-SHARE-001"} == ADVISORY_RULE_IDS


def test_types_are_patterns_matched_against_type_tokens() -> None:
    rule = Rule("VP-X-001", Scope.RESOURCE, "t", "w", "s", ("gcp:*:*IAMMember",))
    assert rule.applies_to("gcp:projects/iAMMember:IAMMember")
    assert not rule.applies_to("gcp:projects/iAMBinding:IAMBinding")
    assert "VP-GCP-001" in rules_for_type("gcp:storage/bucketIAMBinding:BucketIAMBinding")
    assert rules_for_type("aws:s3/bucket:Bucket") == frozenset()


def test_readme_rule_list_is_generated_from_the_registry() -> None:
    text = README.read_text(encoding="utf-8")
    assert rule_docs.updated(text) == text, "run: python -m policies.rules.docs --write"
    for rule in RULES:
        assert f"**{rule.rule_id}**" in text


def test_readme_drift_is_detected() -> None:
    text = README.read_text(encoding="utf-8")
    stale = text.replace("**VP-ACL-001**", "**VP-ACL-001** (old)", 1)
    assert rule_docs.updated(stale) != stale


def test_readme_mentions_no_rule_that_does_not_exist() -> None:
    mentioned = set(re.findall(r"VP-[A-Z0-9]+-\d{3}", README.read_text(encoding="utf-8")))
    assert mentioned <= RULE_IDS
