"""Lint one Vault ACL policy text: parse (as the server does), run the ACL rules, apply its exemptions."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from policies.rules.acl_model import parse_acl
from policies.rules.acl_paths import is_catch_all, within
from policies.rules.acl_rules import AclView, unexemptable
from policies.rules.catalog import RULES, Scope
from policies.rules.exemptions import Exemption, read_exemptions, read_shares
from policies.rules.findings import Finding
from policies.rules.tenancy import DEFAULT_CONTEXT, LintContext

_ACL_RULES = tuple(rule for rule in RULES if rule.scope is Scope.ACL and rule.check is not None)
# For a path matching every mount, only these are reported: the narrower rules would only repeat them.
_ALWAYS = frozenset({"VP-ACL-001", "VP-ACL-002"})


def lint_policy_text(
    text: str, subject: str, *, context: LintContext | None = None, name: str | None = None
) -> list[Finding]:
    """Findings for one policy; raises PolicyParseError when Vault would not accept the text.

    `name` is the policy's name (a resource's `name`, a file's stem): a `svc-<service>` policy is judged as
    that service's, and an exemption can never cover a write to the policy itself.
    """
    return [
        Finding(rule_id, message, subject, exempted, reason, path, advisory)
        for rule_id, message, exempted, reason, path, advisory in _lint(
            text, context or DEFAULT_CONTEXT, name
        )
    ]


@dataclass(frozen=True)
class _Raw:
    rule_id: str
    message: str
    path: str
    advisory: bool


_Row = tuple[str, str, bool, str, str, bool]  # rule_id, message, exempted, reason, path, advisory


@lru_cache(maxsize=1024)
def _lint(text: str, context: LintContext, name: str | None) -> tuple[_Row, ...]:
    # Cached because the pack runs one CrossGuard policy per rule ID over the same policy text.
    policy = parse_acl(text)
    exemptions, problems = read_exemptions(text)
    shares, share_problems = read_shares(text)
    view = AclView(context, name or policy.name, tuple(shares))
    raw: list[_Raw] = []
    forbidden: dict[str, str] = {}
    for path_rule in policy.paths:
        catch_all = is_catch_all(view.inner(path_rule.path))
        for rule in _ACL_RULES:
            if catch_all and rule.rule_id not in _ALWAYS:
                continue
            assert rule.check is not None
            raw += [
                _Raw(rule.rule_id, message, path_rule.path, rule.advisory)
                for message in rule.check(path_rule, view)
            ]
        why = unexemptable(path_rule, view)
        if why:
            forbidden[path_rule.path] = why
    rows: list[_Row] = [(p.rule_id, p.message, False, "", "", False) for p in problems + share_problems]
    used: set[tuple[int, str]] = set()
    refused: set[tuple[int, str]] = set()
    for finding in raw:
        match = None if finding.advisory else _covering(exemptions, finding)
        if match is None:
            rows.append((finding.rule_id, finding.message, False, "", finding.path, finding.advisory))
            continue
        exemption, pattern = match
        if finding.path in forbidden:
            refused.add((exemption.line, pattern))
            rows.append((finding.rule_id, finding.message, False, "", finding.path, False))
            continue
        used.add((exemption.line, pattern))
        rows.append((finding.rule_id, finding.message, True, exemption.reason, finding.path, False))
    rows += _exemption_problems(exemptions, used, refused, forbidden)
    rows += _stale_shares(shares, {f.path for f in raw if f.advisory})
    return tuple(rows)


def _covering(exemptions: list[Exemption], finding: _Raw) -> tuple[Exemption, str] | None:
    for exemption in exemptions:
        if exemption.rule_id != finding.rule_id:
            continue
        for pattern in exemption.paths:
            if within(finding.path, pattern):
                return exemption, pattern
    return None


def _exemption_problems(
    exemptions: list[Exemption],
    used: set[tuple[int, str]],
    refused: set[tuple[int, str]],
    forbidden: dict[str, str],
) -> list[_Row]:
    rows: list[_Row] = []
    for exemption in exemptions:
        for pattern in exemption.paths:
            key = (exemption.line, pattern)
            where = f'line {exemption.line}: exemption of {exemption.rule_id} path="{pattern}"'
            if key in refused:
                reasons = sorted({why for path, why in forbidden.items() if within(path, pattern)})
                rows.append(
                    ("VP-EXEMPT-005", f"{where} covers a grant no exemption may cover: {'; '.join(reasons)}",
                     False, "", pattern, False)
                )  # fmt: skip
            elif key not in used:
                rows.append(("VP-EXEMPT-003", f"{where} exempts nothing here", False, "", pattern, False))
    return rows


def _stale_shares(shares: list, granted: set[str]) -> list[_Row]:
    return [
        ("VP-EXEMPT-003", f'line {share.line}: share path="{share.path}" is not granted read here', False, "",
         share.path, False)
        for share in shares
        if share.path not in granted
    ]  # fmt: skip
