"""The one rule registry: each rule is declared once, next to its check, with a decorator.

A rule is an ID, a scope, the resource types it applies to (fnmatch patterns of Pulumi type tokens), a
title, a rationale, a source, and one check function. The catalog (`policies.rules.catalog.RULES`), the
resource router (`check_resource`), the ACL linter, the CrossGuard pack (one policy per rule) and the rule
table in policies/README.md (generated: `python -m policies.rules.docs --write`) all read this registry.

Check signatures, by scope:
- ACL: `check(rule: PathRule, view: AclView) -> list[str]`, one message per problem with that path rule;
- RESOURCE: `check(type_token: str, inputs: Mapping[str, Any], limits: Limits) -> list[str]`;
- EXEMPTION: no check function: the exemption reader reports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Any

VAULT_POLICY = "vault:index/policy:Policy"


class Scope(Enum):
    ACL = "acl"  # Vault ACL policy text (files, and vault:index/policy:Policy resources)
    RESOURCE = "resource"  # declared resource inputs
    EXEMPTION = "exemption"  # the exemption comments themselves


@dataclass(frozen=True)
class Rule:
    rule_id: str
    scope: Scope
    title: str
    why: str
    source: str
    types: tuple[str, ...] = ()  # fnmatch patterns of the Pulumi type tokens it applies to
    check: Callable[..., list[str]] | None = None
    # ACL rules: a finding means the policy reaches another tenant or the control plane (sys/, auth/,
    # identity/, engine administration). The server-agreement test probes exactly these.
    boundary: bool = False
    # Reported for information: shown by `vaultctl plan` and the pack, never failing them.
    advisory: bool = False

    def applies_to(self, type_token: str) -> bool:
        return any(fnmatchcase(type_token, pattern) for pattern in self.types)


# Registration runs at import time, before mutmut switches a mutant on: a mutant here could never be
# killed, so these lines are not mutated.
# pragma: no mutate start
_REGISTERED: list[Rule] = []


def _register(rule: Rule) -> None:
    if any(existing.rule_id == rule.rule_id for existing in _REGISTERED):
        raise ValueError(f"rule {rule.rule_id} declared twice")
    _REGISTERED.append(rule)
    rules_for_type.cache_clear()


def acl_rule(
    rule_id: str,
    *,
    title: str,
    why: str,
    source: str,
    boundary: bool = False,
    advisory: bool = False,
) -> Callable[[Callable[..., list[str]]], Callable[..., list[str]]]:
    def register(check: Callable[..., list[str]]) -> Callable[..., list[str]]:
        _register(Rule(rule_id, Scope.ACL, title, why, source, (VAULT_POLICY,), check, boundary, advisory))
        return check

    return register


def resource_rule(
    rule_id: str,
    *,
    types: tuple[str, ...],
    title: str,
    why: str,
    source: str,
) -> Callable[[Callable[..., list[str]]], Callable[..., list[str]]]:
    def register(check: Callable[..., list[str]]) -> Callable[..., list[str]]:
        _register(Rule(rule_id, Scope.RESOURCE, title, why, source, types, check))
        return check

    return register


def declare(rule: Rule) -> None:
    """A rule without a check function of its own (exemption rules, the policy-syntax rule)."""
    _register(rule)


# pragma: no mutate end


def registered() -> tuple[Rule, ...]:
    return tuple(_REGISTERED)


@lru_cache(maxsize=512)
def rules_for_type(type_token: str) -> frozenset[str]:
    """Every rule ID `check_resource` can report for this type (empty for types without rules)."""
    return frozenset(rule.rule_id for rule in _REGISTERED if rule.applies_to(type_token))


def run_resource_rules(type_token: str, inputs: Any, limits: Any) -> list[tuple[Rule, str]]:
    return [
        (rule, message)
        for rule in _REGISTERED
        if rule.scope is Scope.RESOURCE and rule.check is not None and rule.applies_to(type_token)
        for message in rule.check(type_token, inputs, limits)
    ]
