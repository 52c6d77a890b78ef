"""The README's config reference is generated from the model: it must not drift."""

from __future__ import annotations

from infra.docs import README, readme_section, render_reference


def test_readme_config_reference_matches_the_model() -> None:
    assert readme_section(README.read_text()) == render_reference(), "run: python -m infra.docs --write"


def test_every_config_field_is_documented() -> None:
    undocumented = [
        row for row in render_reference().splitlines() if row.startswith("| `") and row.endswith("|  |")
    ]
    assert undocumented == []
