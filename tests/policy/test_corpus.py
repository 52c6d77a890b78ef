"""The corpus: every violating policy triggers exactly its annotated rules, legitimate ones stay quiet,
invalid ones are input errors that say why."""

from __future__ import annotations

import pytest

from policies.rules import PolicyParseError, lint_policy_text
from policies.rules.catalog import RULE_IDS
from tests.policy import corpus


def _unexempted(text: str, subject: str) -> set[str]:
    return {f.rule_id for f in lint_policy_text(text, subject) if not f.exempted}


def test_corpus_is_large_enough() -> None:
    assert len(corpus.violating()) >= 40
    assert len(corpus.legitimate()) >= 15
    assert len(corpus.invalid()) >= 10


@pytest.mark.parametrize("case", corpus.violating(), ids=lambda c: c.path.name)
def test_violating_policy_triggers_exactly_its_annotated_rules(case: corpus.CorpusFile) -> None:
    assert case.expected, f"{case.path.name} has no `# expect:` annotation"
    assert case.expected <= RULE_IDS, f"unknown IDs in annotation: {case.expected - RULE_IDS}"
    assert _unexempted(case.text, str(case.path)) == case.expected


@pytest.mark.parametrize("case", corpus.legitimate(), ids=lambda c: c.path.name)
def test_legitimate_policy_has_no_unexempted_finding(case: corpus.CorpusFile) -> None:
    assert _unexempted(case.text, str(case.path)) == set()


@pytest.mark.parametrize("case", corpus.invalid(), ids=lambda c: c.path.name)
def test_invalid_policy_is_an_input_error_naming_the_problem(case: corpus.CorpusFile) -> None:
    with pytest.raises(PolicyParseError) as error:
        lint_policy_text(case.text, str(case.path))
    assert case.why in str(error.value)


def test_findings_carry_the_subject_they_were_asked_about() -> None:
    case = corpus.violating()[0]
    assert {f.subject for f in lint_policy_text(case.text, "some/file.hcl")} == {"some/file.hcl"}
