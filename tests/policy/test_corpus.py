"""The corpus: every violating policy triggers exactly its annotated rules, legitimate ones stay quiet,
invalid ones are input errors that say why; each file carries the reason for its label."""

from __future__ import annotations

import pytest

from policies.rules import PolicyParseError, lint_policy_text
from policies.rules.catalog import RULE_IDS
from tests.policy import corpus


def _unexempted(case: corpus.CorpusFile, subject: str | None = None) -> set[str]:
    findings = lint_policy_text(case.text, subject or str(case.path), context=corpus.CONTEXT, name=case.name)
    return {f.rule_id for f in findings if f.violation}


def test_corpus_is_large_enough() -> None:
    assert len(corpus.violating()) >= 90
    assert len(corpus.legitimate()) >= 30
    assert len(corpus.invalid()) >= 10


@pytest.mark.parametrize("case", corpus.violating() + corpus.legitimate(), ids=lambda c: c.path.name)
def test_every_case_says_why_it_has_its_label(case: corpus.CorpusFile) -> None:
    assert len(case.why) > 10, f"{case.path.name}: add a one-line reason (comment or .why file)"


@pytest.mark.parametrize("case", corpus.violating(), ids=lambda c: c.path.name)
def test_violating_policy_triggers_exactly_its_annotated_rules(case: corpus.CorpusFile) -> None:
    assert case.expected, f"{case.path.name} has no `# expect:` annotation"
    assert case.expected <= RULE_IDS, f"unknown IDs in annotation: {case.expected - RULE_IDS}"
    assert _unexempted(case) == case.expected


@pytest.mark.parametrize("case", corpus.legitimate(), ids=lambda c: c.path.name)
def test_legitimate_policy_has_no_unexempted_finding(case: corpus.CorpusFile) -> None:
    assert _unexempted(case) == set()


@pytest.mark.parametrize("case", corpus.invalid(), ids=lambda c: c.path.name)
def test_invalid_policy_is_an_input_error_naming_the_problem(case: corpus.CorpusFile) -> None:
    with pytest.raises(PolicyParseError) as error:
        lint_policy_text(case.text, str(case.path))
    assert case.why in str(error.value)


def test_findings_carry_the_subject_they_were_asked_about() -> None:
    case = corpus.violating()[0]
    findings = lint_policy_text(case.text, "some/file.hcl", context=corpus.CONTEXT)
    assert {f.subject for f in findings} == {"some/file.hcl"}
