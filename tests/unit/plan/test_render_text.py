"""The terminal rendering: one line per fact, so nothing in a name or value can forge a line."""

from __future__ import annotations

from infra.plan import render_text
from infra.plan.report import Against, build
from tests.unit.plan.records import POLICY, rec, snap

FORGED = "+ vault:index/policy:Policy  looks-added"


def test_a_newline_in_a_name_cannot_forge_a_line() -> None:
    new = snap(rec(POLICY, "p\n" + FORGED, {"name": "p"}))
    text = render_text.render(build("local", new, [], Against("HEAD~1", "c" * 40, snap())))
    assert FORGED not in text.splitlines()
    assert "p\\n" + FORGED in text


def test_the_check_above_can_fail() -> None:
    assert FORGED in ("x\n" + FORGED).splitlines()
    assert render_text.oneline("a\tb\x1b[31m") == "a\\tb\\u001b[31m"
