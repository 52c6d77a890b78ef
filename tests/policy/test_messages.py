"""Every finding message, exactly (see tests/policy/golden.py)."""

from __future__ import annotations

import json

from tests.policy import golden


def test_messages_match_the_reviewed_golden_file() -> None:
    recorded = json.loads(golden.GOLDEN.read_text(encoding="utf-8"))
    now = json.loads(json.dumps(golden.current()))
    assert now["resources"] == recorded["resources"]
    assert now["policies"] == recorded["policies"]
