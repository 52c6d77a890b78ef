"""Comments that speak to the linter: per-path exemptions and declared shares.

    # lint:exempt RULE-ID path="PATTERN" [path="PATTERN" ...] reason="why this grant is acceptable"
    # lint:share from="SERVICE" path="PATH"

An exemption covers findings of RULE-ID on path rules whose pattern lies within one of its PATTERNs
(the same glob semantics as policy paths: `sys/policies/acl/svc-*` covers `sys/policies/acl/svc-billing`, not
`sys/policies/acl/*`). `reason: free text` to the end of the line is accepted in place of `reason="..."`.
Attribute values may hold anything but a double quote; the comment may start with `#` or `//`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policies.rules.acl_rules import Share
from policies.rules.catalog import RULE_IDS, RULES_BY_ID
from policies.rules.registry import Scope

_EXEMPT = re.compile(r"^\s*(?:#|//)\s*lint:exempt\b(?P<rest>.*)$")
_SHARE = re.compile(r"^\s*(?:#|//)\s*lint:share\b(?P<rest>.*)$")
_ATTRIBUTE = re.compile(r'\s*(?P<key>[a-z_]+)\s*=\s*"(?P<value>[^"]*)"')
_FREE_REASON = re.compile(r"\s*reason\s*:\s*(?P<value>.*)$")


@dataclass(frozen=True)
class Exemption:
    rule_id: str
    paths: tuple[str, ...]
    reason: str
    line: int


@dataclass(frozen=True)
class Problem:
    rule_id: str  # VP-EXEMPT-00x
    message: str


def _attributes(rest: str) -> tuple[dict[str, list[str]], str]:
    """key="value" pairs (keys may repeat), then whatever is left (a free-form `reason: ...` or junk)."""
    found: dict[str, list[str]] = {}
    position = 0
    while True:
        match = _ATTRIBUTE.match(rest, position)
        if not match:
            break
        found.setdefault(match.group("key"), []).append(match.group("value"))
        position = match.end()
    leftover = rest[position:]
    free = _FREE_REASON.match(leftover)
    if free:
        found.setdefault("reason", []).append(free.group("value"))
        leftover = ""
    return found, leftover.strip()


def read_exemptions(text: str) -> tuple[list[Exemption], list[Problem]]:
    """The valid exemptions, and what is wrong with the others."""
    valid: list[Exemption] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        marker = _EXEMPT.match(line)
        if not marker:
            continue
        where = f"line {number}"
        rest = marker.group("rest")
        head = re.match(r"\s*(?P<rule>[A-Z][A-Z0-9]*-[A-Z0-9]+-\d+)\b", rest)
        if not head:
            problems.append(Problem("VP-EXEMPT-002", f"{where}: exemption names no rule ID"))
            continue
        rule_id = head.group("rule")
        if rule_id not in RULE_IDS:
            problems.append(Problem("VP-EXEMPT-002", f"{where}: exemption names unknown rule {rule_id}"))
            continue
        if RULES_BY_ID[rule_id].scope is Scope.EXEMPTION:
            problems.append(Problem("VP-EXEMPT-002", f"{where}: {rule_id} cannot be exempted"))
            continue
        attributes, leftover = _attributes(rest[head.end() :])
        reason = " ".join(attributes.get("reason", [])).strip()
        paths = tuple(path.strip() for path in attributes.get("path", []))
        unknown = sorted(set(attributes) - {"path", "reason"})
        if leftover or unknown or any(not path for path in paths):
            what = (
                f"unknown attribute {unknown[0]!r}"
                if unknown
                else f"cannot read {leftover or 'an empty path'!r}"
            )
            problems.append(
                Problem(
                    "VP-EXEMPT-004",
                    f'{where}: exemption of {rule_id}: {what} (write path="..." reason="...")',
                )
            )
            continue
        if not paths:
            problems.append(
                Problem(
                    "VP-EXEMPT-004",
                    f'{where}: exemption of {rule_id} names no path: write path="<pattern>" for each path it covers',
                )
            )
            continue
        if not reason:
            problems.append(
                Problem("VP-EXEMPT-001", f'{where}: exemption of {rule_id} has no reason (reason="...")')
            )
            continue
        valid.append(Exemption(rule_id, paths, reason, number))
    return valid, problems


def read_shares(text: str) -> tuple[list[Share], list[Problem]]:
    shares: list[Share] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        marker = _SHARE.match(line)
        if not marker:
            continue
        attributes, leftover = _attributes(marker.group("rest"))
        sources, paths = attributes.get("from", []), attributes.get("path", [])
        if leftover or len(sources) != 1 or len(paths) != 1 or set(attributes) - {"from", "path"}:
            problems.append(
                Problem(
                    "VP-EXEMPT-004",
                    f'line {number}: cannot read the share: write from="<service>" path="<path>"',
                )
            )
            continue
        if any(char in paths[0] for char in "*+{"):
            problems.append(Problem("VP-EXEMPT-004", f"line {number}: a share names one exact path, no glob"))
            continue
        shares.append(Share(sources[0], paths[0], number))
    return shares, problems
