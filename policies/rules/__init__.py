"""The policy-as-code engine: Vault ACL linting and rules over declared resources.

Used by `vaultctl lint-policy` (lint_cli), `vaultctl plan` (check_resource) and the CrossGuard pack.
`parse_acl` / `matches` / `effective_capabilities` model a policy as the server does (see policies/README.md).
"""

from policies.rules.acl_model import AclPolicy, PathRule, parse_acl
from policies.rules.acl_paths import effective_capabilities, matches, select_rule
from policies.rules.catalog import RULE_IDS, RULES, RULES_BY_ID, Rule
from policies.rules.cli import lint_cli
from policies.rules.findings import Finding, PolicyParseError
from policies.rules.limits import DEFAULT_LIMITS, Limits
from policies.rules.lint import lint_policy_text
from policies.rules.resources import check_resource
from policies.rules.tenancy import DEFAULT_CONTEXT, LintContext, context_for_stack

__all__ = [
    "DEFAULT_CONTEXT",
    "DEFAULT_LIMITS",
    "RULES",
    "RULES_BY_ID",
    "RULE_IDS",
    "AclPolicy",
    "Finding",
    "Limits",
    "LintContext",
    "PathRule",
    "PolicyParseError",
    "Rule",
    "check_resource",
    "context_for_stack",
    "effective_capabilities",
    "lint_cli",
    "lint_policy_text",
    "matches",
    "parse_acl",
    "select_rule",
]
