"""The CrossGuard side: one ResourceValidationPolicy per rule ID, all calling `check_resource`.

One policy per rule lets an operator tune a single rule's enforcement through Pulumi's policy-pack config
(`pulumi preview --policy-pack policies/pack --policy-pack-config cfg.json`) on non-prod stacks.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from policies.rules.catalog import RULES, Rule
from policies.rules.limits import DEFAULT_LIMITS, Limits
from policies.rules.resources import check_resource, rules_for_type

PACK_NAME = "vault-platform"
# The only stacks where rules are advisory. Every other name (prod, prod-eu, production, a typo, none at
# all) is mandatory: the gate fails closed.
ADVISORY_STACKS = frozenset({"local", "staging"})
MAX_TTL_CONFIG_KEY = "maxTtlSeconds"
_TTL_RULES = frozenset({"VP-TTL-002"})
_TTL_SCHEMA = PolicyConfigSchema(
    properties={
        MAX_TTL_CONFIG_KEY: {
            "type": "integer",
            "minimum": 60,
            "default": int(DEFAULT_LIMITS.max_ttl_seconds),
            "description": "Longest token or lease TTL allowed, in seconds.",
        }
    }
)


def enforcement_for_stack(stack: str | None) -> EnforcementLevel:
    """Advisory only on the stacks listed as such; mandatory on every other name and when none is known."""
    if stack is not None and stack in ADVISORY_STACKS:
        return EnforcementLevel.ADVISORY
    return EnforcementLevel.MANDATORY


def current_stack(environ: Mapping[str, str] | None = None) -> str | None:
    """The stack being analysed. The Pulumi CLI runs the analyzer with PULUMI_STACK set (pulumi/pulumi#3612),
    which pulumi-policy itself reads; reading it here keeps the rules free of pulumi runtime state."""
    stack = (environ if environ is not None else os.environ).get("PULUMI_STACK", "")
    # A fully qualified name (org/project/stack) counts by its last part.
    return stack.rsplit("/", 1)[-1] or None


def limits_from_config(config: Mapping[str, Any] | None) -> Limits:
    # The CLI applies schema defaults, the SDK does not: default here too, so in-process runs agree.
    value = (config or {}).get(MAX_TTL_CONFIG_KEY)
    if value is None:
        return DEFAULT_LIMITS
    return Limits(max_ttl_seconds=float(value))


def _validator(rule_id: str) -> Any:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        # Skipping types the rule cannot apply to keeps one unknown input from raising 38 "can't run during
        # preview" notes, and spares the work.
        if rule_id not in rules_for_type(args.resource_type):
            return
        limits = limits_from_config(args.get_config())
        for finding in check_resource(args.resource_type, args.name, args.props, limits=limits):
            if finding.rule_id == rule_id and not finding.exempted:
                report_violation(finding.message, None)

    return validate


def _policy(rule: Rule) -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=rule.rule_id.lower(),
        description=f"{rule.rule_id}: {rule.title}",
        validate=_validator(rule.rule_id),
        config_schema=_TTL_SCHEMA if rule.rule_id in _TTL_RULES else None,
        # Informational rules (a declared share) report at advisory level on every stack.
        enforcement_level=EnforcementLevel.ADVISORY if rule.advisory else None,
    )


def build_policies() -> list[Policy]:
    return [_policy(rule) for rule in RULES]
