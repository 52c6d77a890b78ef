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
