"""`# lint:exempt RULE-ID path="..." reason="..."`: per path, reported as exempted, never silently; bad
exemptions are violations; some grants can never be exempted."""

from __future__ import annotations

import pytest

from policies.rules import Finding, lint_policy_text
from policies.rules.exemptions import read_exemptions, read_shares

BROAD = 'path "kv/data/*" {\n  capabilities = ["read"]\n}\n'
EXEMPT = '# lint:exempt VP-ACL-008 path="kv/data/*" reason="audit reader"\n'


def _findings(text: str, name: str | None = None) -> list[Finding]:
    return lint_policy_text(text, "p.hcl", name=name)


def _pairs(text: str, name: str | None = None) -> set[tuple[str, bool]]:
    return {(f.rule_id, f.exempted) for f in _findings(text, name)}


def test_exemption_with_path_and_reason_marks_the_finding_exempted_and_keeps_it_visible() -> None:
    (finding,) = _findings(EXEMPT + BROAD)
    assert (finding.rule_id, finding.exempted, finding.reason) == ("VP-ACL-008", True, "audit reader")


def test_exemption_can_sit_anywhere_and_take_a_free_form_reason() -> None:
    (finding,) = _findings(
        BROAD + '   //  lint:exempt VP-ACL-008 path="kv/data/*" reason:  trailing comment  \n'
    )
    assert finding.exempted and finding.reason == "trailing comment"


def test_exemption_covers_only_the_paths_it_names() -> None:
    text = EXEMPT + BROAD + 'path "database/creds/*" { capabilities = ["read"] }\n'
    found = {(f.path, f.exempted) for f in _findings(text)}
    assert found == {("kv/data/*", True), ("database/creds/*", False)}


def test_exemption_pattern_covers_narrower_paths_not_broader_ones() -> None:
    exempt = '# lint:exempt VP-ACL-007 path="sys/policies/acl/svc-*" reason="generated policies"\n'
    narrow = 'path "sys/policies/acl/svc-billing" { capabilities = ["update"] }\n'
    broad = 'path "sys/policies/acl/*" { capabilities = ["update"] }\n'
    assert _pairs(exempt + narrow) == {("VP-ACL-007", True)}
    assert _pairs(exempt + broad) == {("VP-ACL-007", False), ("VP-EXEMPT-003", False)}


def test_several_paths_in_one_exemption() -> None:
    text = (
        '# lint:exempt VP-ACL-008 path="kv/data/*" path="database/creds/*" reason="reader"\n'
        + BROAD
        + 'path "database/creds/*" { capabilities = ["read"] }\n'
    )
    assert _pairs(text) == {("VP-ACL-008", True)}


def test_exemption_without_reason_is_a_violation_and_exempts_nothing() -> None:
    assert _pairs('# lint:exempt VP-ACL-008 path="kv/data/*"\n' + BROAD) == {
        ("VP-EXEMPT-001", False),
        ("VP-ACL-008", False),
    }


def test_whole_policy_exemption_is_refused() -> None:
    found = _findings("# lint:exempt VP-ACL-008 reason: every path\n" + BROAD)
    assert {(f.rule_id, f.exempted) for f in found} == {("VP-EXEMPT-004", False), ("VP-ACL-008", False)}
    assert 'path="<pattern>"' in next(f.message for f in found if f.rule_id == "VP-EXEMPT-004")


def test_unreadable_attributes_are_reported() -> None:
    for line in (
        '# lint:exempt VP-ACL-008 paths="kv/data/*" reason="x"\n',
        '# lint:exempt VP-ACL-008 path="kv/data/*" reason="x" trailing junk\n',
        '# lint:exempt VP-ACL-008 path="" reason="x"\n',
    ):
        assert ("VP-EXEMPT-004", False) in _pairs(line + BROAD), line


def test_exemption_of_unknown_rule_is_a_violation() -> None:
    found = _findings(
        '# lint:exempt VP-ACL-01 path="a/b" reason="typo"\npath "a/b" { capabilities = ["read"] }'
    )
    assert [f.rule_id for f in found] == ["VP-EXEMPT-002"]


def test_exemption_rules_cannot_themselves_be_exempted() -> None:
    found = _findings(
        '# lint:exempt VP-EXEMPT-001 path="a/b" reason="no"\npath "a/b" { capabilities = ["read"] }'
    )
    assert [f.rule_id for f in found] == ["VP-EXEMPT-002"]


def test_exemption_that_matches_nothing_is_reported_as_stale() -> None:
    found = _findings(
        '# lint:exempt VP-ACL-002 path="a/b" reason="old"\npath "a/b" { capabilities = ["read"] }'
    )
    assert [f.rule_id for f in found] == ["VP-EXEMPT-003"]
    assert 'path="a/b"' in found[0].message


def test_exemption_applies_to_its_rule_only() -> None:
    text = EXEMPT + 'path "kv/data/*" { capabilities = ["sudo", "read"] }'
    assert _pairs(text) == {("VP-ACL-008", True), ("VP-ACL-002", False)}


def test_a_comment_mentioning_lint_elsewhere_is_not_an_exemption() -> None:
    assert _findings('# see lint:exempt docs\npath "a/b" { capabilities = ["read"] }') == []


def test_no_exemption_covers_raw_storage_seal_generate_root_or_rekey() -> None:
    for path, capability in (
        ("sys/raw/*", "read"),
        ("sys/seal", "update"),
        ("sys/generate-root/attempt", "update"),
        ("sys/rekey/init", "update"),
        ("ns1/sys/raw/*", "read"),
    ):
        text = f'# lint:exempt VP-ACL-003 path="{path}" reason="ops"\npath "{path}" {{ capabilities = ["{capability}"] }}'
        assert _pairs(text) == {("VP-ACL-003", False), ("VP-EXEMPT-005", False)}, path


def test_no_exemption_covers_a_write_to_the_policy_itself_or_default() -> None:
    exempt = '# lint:exempt VP-ACL-007 path="sys/policies/acl/*" reason="applies policies"\n'
    own = 'path "sys/policies/acl/deployer" { capabilities = ["update"] }\n'
    other = 'path "sys/policies/acl/svc-billing" { capabilities = ["update"] }\n'
    assert ("VP-EXEMPT-005", False) in _pairs(exempt.replace("*", "deployer") + own, name="deployer")
    assert _pairs(exempt.replace("*", "svc-billing") + other, name="deployer") == {("VP-ACL-007", True)}
    default = 'path "sys/policies/acl/default" { capabilities = ["update"] }\n'
    assert ("VP-EXEMPT-005", False) in _pairs(exempt.replace("*", "default") + default, name="deployer")


def test_token_creation_with_pinned_policies_can_be_exempted() -> None:
    exempt = '# lint:exempt VP-ACL-004 path="auth/token/create" reason="mints ci tokens"\n'
    pinned = (
        'path "auth/token/create" {\n  capabilities = ["update"]\n'
        '  allowed_parameters = {\n    "policies" = ["ci"]\n    "*" = []\n  }\n}\n'
    )
    assert _pairs(exempt + pinned) == {("VP-ACL-004", True)}
    unpinned = 'path "auth/token/create" { capabilities = ["update"] }\n'
    assert ("VP-EXEMPT-005", False) in _pairs(exempt + unpinned)


def test_reader_returns_paths_and_reasons() -> None:
    (exemption,), problems = read_exemptions(
        '# lint:exempt VP-ACL-003 path="sys/a" path="sys/b/*" reason="why"\n'
    )
    assert (exemption.rule_id, exemption.paths, exemption.reason, exemption.line) == (
        "VP-ACL-003",
        ("sys/a", "sys/b/*"),
        "why",
        1,
    )
    assert problems == []


def test_share_markers_are_read_and_malformed_ones_reported() -> None:
    (share,), problems = read_shares('# lint:share from="billing" path="kv/data/apps/billing/x"\n')
    assert (share.source, share.path) == ("billing", "kv/data/apps/billing/x") and problems == []
    for bad in ('# lint:share from="billing"\n', '# lint:share from="b" path="kv/data/apps/b/*"\n'):
        assert [p.rule_id for p in read_shares(bad)[1]] == ["VP-EXEMPT-004"]


def test_a_share_that_grants_nothing_is_stale() -> None:
    text = (
        '# lint:share from="billing" path="kv/data/apps/billing/x"\npath "a/b" { capabilities = ["read"] }\n'
    )
    assert _pairs(text, name="svc-reporting") == {("VP-EXEMPT-003", False)}


def test_a_bad_exemption_line_does_not_stop_the_next_ones() -> None:
    text = (
        '# lint:exempt path="x" reason="no id"\n# lint:exempt VP-ACL-404 path="x" reason="bad id"\n'
        + EXEMPT
        + BROAD
    )
    assert _pairs(text) == {("VP-EXEMPT-002", False), ("VP-ACL-008", True)}
    messages = sorted(f.message for f in _findings(text) if f.rule_id == "VP-EXEMPT-002")
    assert messages == [
        "line 1: exemption names no rule ID",
        "line 2: exemption names unknown rule VP-ACL-404",
    ]


def test_problem_findings_carry_no_reason_and_are_violations() -> None:
    text = '# lint:share from="billing" path="kv/data/apps/billing/x"\n# lint:exempt VP-ACL-002 path="a/b" reason="r"\n'
    text += 'path "a/b" { capabilities = ["read"] }\n'
    findings = _findings(text, name="svc-reporting")
    assert {f.rule_id for f in findings} == {"VP-EXEMPT-003"}
    assert all(f.violation and f.reason == "" and not f.exempted for f in findings)
    assert sorted(f.path for f in findings) == ["a/b", "kv/data/apps/billing/x"]


def test_exemption_005_lists_why_and_carries_no_reason() -> None:
    def problems(text: str) -> list[Finding]:
        return [f for f in _findings(text) if f.rule_id == "VP-EXEMPT-005"]

    exempt = '# lint:exempt VP-ACL-003 path="sys/*" reason="ops"\n'
    (problem,) = problems(exempt + 'path "sys/*" { capabilities = ["update"] }\n')
    assert problem.message == (
        'line 1: exemption of VP-ACL-003 path="sys/*" covers a grant no exemption may cover: raw storage (sys/raw)'
    )
    assert problem.reason == "" and problem.violation and problem.path == "sys/*"
    (seal,) = problems(exempt + 'path "sys/seal" { capabilities = ["update"] }\n')
    assert seal.message.endswith("no exemption may cover: sys/seal (seal, generate-root, rekey)")
    (both,) = problems(
        exempt
        + 'path "sys/seal" { capabilities = ["update"] }\npath "sys/raw/x" { capabilities = ["read"] }\n'
    )
    assert both.message.endswith(
        "no exemption may cover: raw storage (sys/raw); sys/seal (seal, generate-root, rekey)"
    )


@pytest.mark.parametrize(
    ("block", "name", "exemptable"),
    [
        ('path "sys/seal-status" { capabilities = ["update"] }', None, True),
        (
            'path "sys/seal" { capabilities = ["read"] }',
            None,
            True,
        ),  # reading the seal endpoint changes nothing
        ('path "sys/seal" { capabilities = ["sudo"] }', None, False),
        ('path "sys/unseal" { capabilities = ["update"] }', None, False),
        ('path "sys/rekey-recovery-key/init" { capabilities = ["update"] }', None, False),
        ('path "sys/generate-recovery-token/attempt" { capabilities = ["create"] }', None, False),
        ('path "sys/policy/deployer" { capabilities = ["update"] }', "deployer", False),
        ('path "sys/policy/other" { capabilities = ["update"] }', "deployer", True),
        ('path "sys/policies/acl/svc-x" { capabilities = ["update"] }', "deployer", True),
        ('path "sys/policies/acl/default" { capabilities = ["delete"] }', None, False),
    ],
)
def test_which_grants_can_be_exempted(block: str, name: str | None, exemptable: bool) -> None:
    path = block.split('"')[1]
    findings = [f for f in _findings(block, name) if f.rule_id not in ("VP-EXEMPT-003",)]
    rule = next(f.rule_id for f in findings if f.rule_id.startswith("VP-ACL"))
    text = f'# lint:exempt {rule} path="{path}" reason="r"\n' + block
    pairs = _pairs(text, name)
    assert ((rule, True) in pairs) is exemptable, pairs
    assert (("VP-EXEMPT-005", False) in pairs) is not exemptable


@pytest.mark.parametrize(
    ("policies", "exemptable"),
    [('["ci", "app"]', True), ('["root"]', False), ('["ci-*"]', False), ("[]", False)],
)
def test_token_creation_is_exemptable_only_with_listed_policies(policies: str, exemptable: bool) -> None:
    block = (
        'path "auth/token/create" {\n  capabilities = ["update"]\n'
        f'  allowed_parameters = {{\n    "policies" = {policies}\n    "*" = []\n  }}\n}}\n'
    )
    pairs = _pairs('# lint:exempt VP-ACL-004 path="auth/token/create" reason="r"\n' + block)
    assert (("VP-ACL-004", True) in pairs) is exemptable


def test_unexemptable_reasons_name_the_grant() -> None:
    def reason(block: str, name: str | None = None) -> str:
        text = f'# lint:exempt VP-ACL-007 path="{block.split(chr(34))[1]}" reason="r"\n' + block
        return next(f.message for f in _findings(text, name) if f.rule_id == "VP-EXEMPT-005").split(
            "may cover: "
        )[1]

    assert reason('path "sys/policies/acl/deployer" { capabilities = ["update"] }', "deployer") == (
        "the policy 'deployer' itself"
    )
    assert (
        reason('path "sys/policies/acl/default" { capabilities = ["update"] }', "deployer")
        == "the default policy"
    )
