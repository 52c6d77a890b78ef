"""Lint one Vault ACL policy text: parse (strictly), run the ACL rules, apply the policy's exemptions."""

from __future__ import annotations

from functools import lru_cache

from policies.rules.acl_model import parse_policy
from policies.rules.acl_rules import check_acl
from policies.rules.exemptions import read_exemptions
from policies.rules.findings import Finding

_Result = tuple[tuple[str, str, bool, str], ...]  # (rule_id, message, exempted, reason)


def lint_policy_text(text: str, subject: str) -> list[Finding]:
    """Findings for one policy; raises PolicyParseError when Vault would not accept the text."""
    return [
        Finding(rule_id, message, subject, exempted, reason)
        for rule_id, message, exempted, reason in _lint(text)
    ]


@lru_cache(maxsize=512)
def _lint(text: str) -> _Result:
    # Cached because the pack runs one CrossGuard policy per rule ID over the same policy text.
    policy = parse_policy(text)
    raw = check_acl(policy)
    exemptions, problems = read_exemptions(text)
    results: list[tuple[str, str, bool, str]] = [(p.rule_id, p.message, False, "") for p in problems]
    fired = set()
    for rule_id, message in raw:
        fired.add(rule_id)
        exemption = exemptions.get(rule_id)
        if exemption is not None:
            results.append((rule_id, message, True, exemption.reason))
        else:
            results.append((rule_id, message, False, ""))
    for rule_id, exemption in sorted(exemptions.items()):
        if rule_id not in fired:
            results.append(
                (
                    "VP-EXEMPT-003",
                    f"line {exemption.line}: exemption of {rule_id} exempts nothing here",
                    False,
                    "",
                )
            )
    return tuple(results)
