"""`check_resource`: run every registered rule that applies to a declared resource's type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.rules.catalog import RULES  # noqa: F401 - importing the catalog registers every rule
from policies.rules.findings import Finding, PolicyParseError
from policies.rules.limits import DEFAULT_LIMITS, Limits
from policies.rules.lint import lint_policy_text
from policies.rules.registry import VAULT_POLICY, rules_for_type, run_resource_rules
from policies.rules.tenancy import LintContext
from policies.rules.values import field

__all__ = ["VAULT_POLICY", "check_resource", "rules_for_type"]


def check_resource(
    type_token: str,
    name: str,
    inputs: Mapping[str, Any],
    *,
    limits: Limits = DEFAULT_LIMITS,
    context: LintContext | None = None,
) -> list[Finding]:
    """Findings for one declared resource; types without rules give none.

    A `vault:index/policy:Policy` gets the ACL rules on its `policy` text (and VP-SYNTAX-001 when that text is
    not a valid policy), judged against `context` (the stack's tenant layout; the config defaults if None).
    """
    subject = f"{type_token} {name}"
    if type_token == VAULT_POLICY:
        return _policy_resource(inputs, subject, context)
    return [
        Finding(rule.rule_id, message, subject, advisory=rule.advisory)
        for rule, message in run_resource_rules(type_token, inputs, limits)
    ]


def _policy_resource(inputs: Mapping[str, Any], subject: str, context: LintContext | None) -> list[Finding]:
    text = field(inputs, "policy")
    if not isinstance(text, str):
        return []
    policy_name = field(inputs, "name")
    try:
        return lint_policy_text(
            text, subject, context=context, name=policy_name if isinstance(policy_name, str) else None
        )
    except PolicyParseError as error:
        return [Finding("VP-SYNTAX-001", str(error), subject)]
