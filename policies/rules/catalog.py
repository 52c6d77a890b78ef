"""Every rule ID, what it catches, why, and where the reasoning comes from: read from the registry.

Rules are declared once, next to their checks (`policies.rules.registry`); importing this module imports every
rule module, so `RULES` is complete. Order: ACL rules, the share notice, then resource rules by family, then
the exemption rules.
"""

from __future__ import annotations

from policies.rules import acl_rules, gcp_iam, pods, tls, ttl, vault_auth, vault_engines  # noqa: F401 - registers
from policies.rules.registry import Rule, Scope, declare, registered

_VAULT_POLICIES = "https://developer.hashicorp.com/vault/docs/concepts/policies"
_EXEMPTION_SYNTAX = "policies/README.md (exemption syntax)"

declare(
    Rule(
        "VP-SYNTAX-001",
        Scope.RESOURCE,
        "a vault:index/policy:Policy whose text Vault would reject",
        "The pack sees the policy before Vault does: an unparsable policy fails the deployment late.",
        _VAULT_POLICIES + "#policy-syntax",
        ("vault:index/policy:Policy",),
    )
)
for _rule_id, _title, _why in (
    ("VP-EXEMPT-001", "exemption without a reason", "An exemption is a security decision; the reason is what a "
     "reviewer checks."),
    ("VP-EXEMPT-002", "exemption naming an unknown rule ID (or none)", "A misspelt ID would otherwise exempt "
     "nothing while looking like it does."),
    ("VP-EXEMPT-003", "exemption (or share marker) that covers nothing in this policy", "Stale exemptions hide "
     "the next broad grant that happens to match them."),
    ("VP-EXEMPT-004", "exemption without a path, or a marker the linter cannot read", "An exemption covers the "
     "paths it names, never a whole policy: a reviewer must see which grant is accepted."),
    ("VP-EXEMPT-005", "exemption over a grant no exemption may cover (raw storage, seal/unseal, generate-root, "
     "rekey, root token creation, the policy's own name or `default`)", "These grants are root in all but name; "
     "a reason in a comment cannot make them safe."),
):  # fmt: skip
    declare(Rule(_rule_id, Scope.EXEMPTION, _title, _why, _EXEMPTION_SYNTAX, ("vault:index/policy:Policy",)))

_FAMILY_ORDER = (
    "ACL",
    "SHARE",
    "SYNTAX",
    "K8SAUTH",
    "JWT",
    "TTL",
    "DB",
    "AWS",
    "GCP",
    "POD",
    "TLS",
    "EXEMPT",
)


# pragma: no mutate start (runs at import time, before a mutant is switched on)
def _order(rule: Rule) -> tuple[int, str]:
    return _FAMILY_ORDER.index(rule.rule_id.split("-")[1]), rule.rule_id


# pragma: no mutate end


RULES: tuple[Rule, ...] = tuple(sorted(registered(), key=_order))
RULES_BY_ID: dict[str, Rule] = {rule.rule_id: rule for rule in RULES}
RULE_IDS: frozenset[str] = frozenset(RULES_BY_ID)
ACL_RULE_IDS: frozenset[str] = frozenset(r.rule_id for r in RULES if r.scope is Scope.ACL)
BOUNDARY_RULE_IDS: frozenset[str] = frozenset(r.rule_id for r in RULES if r.boundary)
ADVISORY_RULE_IDS: frozenset[str] = frozenset(r.rule_id for r in RULES if r.advisory)

__all__ = [
    "ACL_RULE_IDS",
    "ADVISORY_RULE_IDS",
    "BOUNDARY_RULE_IDS",
    "RULES",
    "RULES_BY_ID",
    "RULE_IDS",
    "Rule",
    "Scope",
]
