"""The rule catalog: stable IDs, documented in policies/README.md, each with a rationale and a source."""

from __future__ import annotations

import re
from pathlib import Path

from policies.rules import RULE_IDS, RULES

README = Path(__file__).resolve().parents[2] / "policies" / "README.md"


def test_rule_ids_are_unique_and_well_formed() -> None:
    assert len(RULE_IDS) == len(RULES)
    assert all(re.fullmatch(r"VP-[A-Z0-9]+-\d{3}", rule.rule_id) for rule in RULES)


def test_every_rule_has_a_title_a_rationale_and_a_source() -> None:
    assert all(rule.title and rule.why and rule.source for rule in RULES)


def test_readme_documents_every_rule_with_its_title() -> None:
    text = README.read_text(encoding="utf-8")
    for rule in RULES:
        assert f"**{rule.rule_id}**: {rule.title}." in text, (
            f"{rule.rule_id} missing or stale in policies/README.md"
        )


def test_readme_mentions_no_rule_that_does_not_exist() -> None:
    mentioned = set(re.findall(r"VP-[A-Z0-9]+-\d{3}", README.read_text(encoding="utf-8")))
    assert mentioned <= RULE_IDS
