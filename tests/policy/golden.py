"""The exact finding messages for every corpus policy and resource case: what operators read in
`vaultctl plan`, `lint-policy` and the pack, kept as a reviewed golden file so a changed message is a
visible diff, never an accident. Regenerate after an intended change and review the diff:

    .venv/bin/python -m tests.policy.golden
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from policies.rules import check_resource, lint_policy_text
from tests.policy import corpus
from tests.policy.resource_cases import CASES

GOLDEN = Path(__file__).parent / "golden_messages.json"


def current() -> dict[str, Any]:
    policies = {}
    for case in corpus.violating() + corpus.legitimate():
        findings = lint_policy_text(case.text, case.path.name, context=corpus.CONTEXT, name=case.name)
        policies[case.path.name] = [
            [f.rule_id, f.path, f.message, f.exempted, f.reason, f.advisory] for f in findings
        ]
    resources = {
        case.name: [[f.rule_id, f.message] for f in check_resource(case.type, "r", case.inputs)]
        for case in CASES
    }
    return {"policies": policies, "resources": resources}


if __name__ == "__main__":
    GOLDEN.write_text(
        json.dumps(current(), indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"wrote {GOLDEN}")
