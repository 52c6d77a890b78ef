"""The merge aid: whole-policy exemptions rewritten per path, and the README rule list generator."""

from __future__ import annotations

from pathlib import Path

from policies.rules import docs, lint_policy_text
from policies.rules.migrate import main, migrate_text

LEGACY = (
    "# lint:exempt VP-ACL-008 reason: the deployer manages every role\n"
    "# lint:exempt VP-ACL-002 reason: stale\n"
    'path "database/roles/*" {\n  capabilities = ["read"]\n}\n'
    'path "database/creds/*" {\n  capabilities = ["read"]\n}\n'
)


def test_legacy_exemptions_become_per_path_ones_for_the_paths_where_the_rule_fires() -> None:
    new = migrate_text(LEGACY)
    assert new.splitlines()[0] == (
        '# lint:exempt VP-ACL-008 path="database/roles/*" path="database/creds/*" '
        'reason="the deployer manages every role"'
    )
    assert new.splitlines()[1] == "# lint:exempt VP-ACL-002 reason: stale"  # fires nowhere: left for review
    assert {(f.rule_id, f.exempted) for f in lint_policy_text(new, "p")} == {
        ("VP-ACL-008", True),
        ("VP-EXEMPT-004", False),
    }


def test_unparsable_text_is_left_alone(tmp_path: Path) -> None:
    assert (
        migrate_text("# lint:exempt VP-ACL-008 reason: x\npath {")
        == "# lint:exempt VP-ACL-008 reason: x\npath {"
    )
    path = tmp_path / "p.hcl"
    path.write_text(LEGACY)
    assert main([str(path)]) == 0
    assert 'path="database/roles/*"' in path.read_text()


def test_docs_check_and_write(tmp_path: Path, monkeypatch) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{docs.BEGIN}\nold\n{docs.END}\nafter\n")
    monkeypatch.setattr(docs, "README", readme)
    assert docs.main([]) == 1
    assert docs.main(["--write"]) == 0
    assert docs.main([]) == 0
    text = readme.read_text()
    assert text.startswith("intro\n") and text.endswith("after\n") and "**VP-ACL-001**" in text


def test_migrate_reports_each_rewritten_file_only(tmp_path: Path, capsys) -> None:
    legacy, clean = tmp_path / "a.hcl", tmp_path / "b.hcl"
    legacy.write_text(LEGACY)
    clean.write_text('path "a/b" { capabilities = ["read"] }\n')
    assert main([str(legacy), str(clean)]) == 0
    assert capsys.readouterr().out == f"{legacy}: exemptions rewritten per path; review them\n"
    assert clean.read_text() == 'path "a/b" { capabilities = ["read"] }\n'


def test_migrate_keeps_reasons_with_quotes_and_the_last_line_without_newline() -> None:
    text = '# lint:exempt VP-ACL-008 reason: the "reader"\npath "kv/data/*" { capabilities = ["read"] }'
    assert migrate_text(text) == text  # a reason with quotes cannot go into reason="..."
    text = 'path "kv/data/*" { capabilities = ["read"] }\n  // lint:exempt VP-ACL-008 reason:  spaced  '
    assert migrate_text(text).endswith('  // lint:exempt VP-ACL-008 path="kv/data/*" reason="spaced"')


def test_migrate_uses_the_policy_name(tmp_path: Path) -> None:
    text = '# lint:exempt VP-ACL-014 reason: read billing\npath "kv/data/apps/billing/x" { capabilities = ["read"] }\n'
    assert migrate_text(text) == text  # no owner: nothing fires
    assert 'path="kv/data/apps/billing/x"' in migrate_text(text, "svc-reporting")


def test_docs_check_names_the_fix(tmp_path: Path, monkeypatch, capsys) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"{docs.BEGIN}\n{docs.END}\n")
    monkeypatch.setattr(docs, "README", readme)
    assert docs.main(["--check"]) == 1
    assert capsys.readouterr().err == (
        "policies/README.md rule table is stale: run python -m policies.rules.docs --write\n"
    )
    assert readme.read_text() == f"{docs.BEGIN}\n{docs.END}\n"


def test_docs_entries_show_flags_and_types() -> None:
    text = docs.render()
    assert "- **VP-ACL-001** _(boundary)_: " in text
    assert "- **VP-SHARE-001** _(advisory)_: " in text
    assert "- **VP-ACL-002**: `sudo` capability.  \n  Why: " in text
    assert "  Types: `vault:kubernetes/authBackendRole:AuthBackendRole`" in text
    assert text.startswith(docs.BEGIN) and text.endswith(docs.END)
    assert "\n### ACL policy rules" in text and "\n### Exemption rules" in text
