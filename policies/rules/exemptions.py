"""`# lint:exempt RULE-ID reason: free text` comments: one rule, whole policy, always with a reason."""

from __future__ import annotations

import re
from dataclasses import dataclass

from policies.rules.catalog import RULE_IDS, RULES_BY_ID, Scope

_MARKER = re.compile(r"^\s*#\s*lint:exempt\b(?P<rest>.*)$")
_BODY = re.compile(r"^\s*(?P<rule>[^\s:]+)?\s*(?:reason\s*:\s*(?P<reason>.*))?$")


@dataclass(frozen=True)
class Exemption:
    rule_id: str
    reason: str
    line: int


@dataclass(frozen=True)
class ExemptionProblem:
    rule_id: str  # VP-EXEMPT-00x
    message: str


def read_exemptions(text: str) -> tuple[dict[str, Exemption], list[ExemptionProblem]]:
    """The valid exemptions by rule ID, and what is wrong with the others."""
    valid: dict[str, Exemption] = {}
    problems: list[ExemptionProblem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        marker = _MARKER.match(line)
        if not marker:
            continue
        body = _BODY.match(marker.group("rest"))
        rule_id = (body.group("rule") or "") if body else ""
        reason = ((body.group("reason") or "") if body else "").strip()
        where = f"line {number}"
        if not rule_id or rule_id == "reason":
            problems.append(ExemptionProblem("VP-EXEMPT-002", f"{where}: exemption names no rule ID"))
            continue
        if rule_id not in RULE_IDS:
            problems.append(
                ExemptionProblem("VP-EXEMPT-002", f"{where}: exemption names unknown rule {rule_id}")
            )
            continue
        if RULES_BY_ID[rule_id].scope is Scope.EXEMPTION:
            problems.append(ExemptionProblem("VP-EXEMPT-002", f"{where}: {rule_id} cannot be exempted"))
            continue
        if not reason:
            problems.append(
                ExemptionProblem(
                    "VP-EXEMPT-001", f"{where}: exemption of {rule_id} has no reason (`reason: ...`)"
                )
            )
            continue
        valid[rule_id] = Exemption(rule_id, reason, number)
    return valid, problems
