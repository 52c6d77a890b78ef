"""The policy-as-code engine: Vault ACL linting and rules over declared resources.

Used by `vaultctl lint-policy` (lint_cli), `vaultctl plan` (check_resource) and the CrossGuard pack.
"""

from policies.rules.catalog import RULE_IDS, RULES, RULES_BY_ID, Rule
from policies.rules.cli import lint_cli
from policies.rules.findings import Finding, PolicyParseError
from policies.rules.limits import DEFAULT_LIMITS, Limits
from policies.rules.lint import lint_policy_text
from policies.rules.resources import check_resource

__all__ = [
    "DEFAULT_LIMITS",
    "RULES",
    "RULES_BY_ID",
    "RULE_IDS",
    "Finding",
    "Limits",
    "PolicyParseError",
    "Rule",
    "check_resource",
    "lint_cli",
    "lint_policy_text",
]
