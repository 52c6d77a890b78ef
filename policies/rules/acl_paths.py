"""Vault path patterns: matching concrete paths, and reasoning about what a pattern can reach.

A policy path is exact, ends in `*` (a prefix glob that may cross `/`), or has `+` segments (exactly one
segment, possibly empty), optionally with a trailing `*` on its last segment (vault/acl.go).

`matches(pattern, path)` answers for one concrete path, with the server's semantics; identity templates
(`{{identity.entity.id}}`) are treated as matching any one segment, since their value depends on the caller.
`effective_capabilities(policies, path)` picks the rule the server would apply (exact first, then the most
specific glob) and returns its capabilities.

The rules ask a different question: can this pattern match some path inside a target subtree? Targets are
written as paths whose segments are literals, `+` (any one segment) or `lit*` (a segment starting with `lit`);
a trailing `$` makes the target one path instead of a subtree. There a template or a partial glob (`kv/d*`)
matches anything in the segment it sits in, and a template followed by a glob matches everything below.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from policies.rules.acl_model import AclPolicy, PathRule, merge_rules

_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")
_WHOLE_TEMPLATE = re.compile(r"^\{\{[^{}]*\}\}$")

LIT, ANY, PREFIX, TEMPLATE = "lit", "any", "prefix", "template"


@dataclass(frozen=True)
class Segment:
    kind: str  # LIT, ANY (`+` or a segment mixing text and a template), PREFIX (last, with `*`), TEMPLATE
    text: str = ""

    def fixed(self) -> bool:
        """One value per caller: a literal, or a template that is the whole segment."""
        return self.kind in (LIT, TEMPLATE)


@dataclass(frozen=True)
class Pattern:
    segments: tuple[Segment, ...]
    tail_glob: bool  # the last segment is a prefix and the match may continue past it


@lru_cache(maxsize=4096)
def parse_pattern(path: str) -> Pattern:
    tail = path.endswith("*")
    raw = (path[:-1] if tail else path).split("/")
    segments: list[Segment] = []
    for index, text in enumerate(raw):
        last = index == len(raw) - 1
        if last and tail:
            # A template followed by the glob (`{{x}}*`) can be anything: a prefix of nothing known.
            segments.append(Segment(PREFIX, "" if "{{" in text else text))
        elif text == "+":
            segments.append(Segment(ANY))
        elif _WHOLE_TEMPLATE.match(text):
            segments.append(Segment(TEMPLATE, text))
        elif "{{" in text:
            segments.append(Segment(ANY, text))
        else:
            segments.append(Segment(LIT, text))
    return Pattern(tuple(segments), tail)


# --- concrete paths ----------------------------------------------------------------------------------


def matches(pattern: str, path: str) -> bool:
    """Whether policy path `pattern` applies to the concrete request path `path` (server semantics)."""
    pattern = pattern.removeprefix("/")
    parts_all = pattern.split("/")
    has_plus = "+" in parts_all
    if "{{" not in pattern and not has_plus:
        if pattern.endswith("*"):
            return path.startswith(pattern[:-1])
        return path == pattern
    prefix = pattern.endswith("*")
    parts = (pattern[:-1] if prefix else pattern).split("/")
    concrete = path.split("/")
    if len(concrete) < len(parts) or (not prefix and len(concrete) != len(parts)):
        return False
    for index, part in enumerate(parts):
        value = concrete[index]
        if prefix and index == len(parts) - 1:
            return "{{" in part or value.startswith(part)
        if part != value and part != "+" and "{{" not in part:
            return False
    return True


def _specificity(pattern: str) -> tuple[int, int, int, int, str]:
    """Sort key for the server's choice among non-exact matches (vault/acl.go CheckAllowedFromNonExactPaths):
    the later the first wildcard, the better; then not a prefix; then fewer `+`; then longer; then by text."""
    prefix = pattern.endswith("*")
    body = pattern[:-1] if prefix else pattern
    segments = body.split("/")
    plus = [i for i, segment in enumerate(segments) if segment == "+"]
    first = len("/".join(segments[: plus[0]])) + (1 if plus[0] else 0) if plus else len(body)
    return (first, 0 if prefix else 1, -len(plus), len(body), body)


def select_rule(rules: Iterable[PathRule], path: str) -> PathRule | None:
    """The one rule the server applies to `path`: an exact match, else the most specific glob."""
    candidates = [rule for rule in rules if matches(rule.path, path)]
    exact = [rule for rule in candidates if rule.path == path]
    if exact:
        return exact[0]
    if not candidates:
        return None
    return max(candidates, key=lambda rule: _specificity(rule.path))


def merge_policies(policies: Iterable[AclPolicy]) -> tuple[PathRule, ...]:
    """Several policies as one ACL: rules for the same pattern merged as duplicate blocks are."""
    return merge_rules([rule for policy in policies for rule in policy.paths])


def effective_capabilities(policies: Iterable[AclPolicy], path: str) -> frozenset[str]:
    """What a token holding `policies` may do on `path` (empty when denied or not granted)."""
    rule = select_rule(merge_policies(policies), path)
    return frozenset() if rule is None else rule.grants


# --- reasoning about subtrees -----------------------------------------------------------------------


def is_catch_all(path: str) -> bool:
    """Matches paths on every mount: the first segment is a wildcard, an empty prefix or a template."""
    first = parse_pattern(path).segments[0]
    return first.kind in (ANY, TEMPLATE) or (first.kind == PREFIX and first.text == "")


def first_segment(path: str) -> str:
    return path.split("/", 1)[0]


def literal_head(path: str) -> str:
    """The text before the first wildcard or template: every path the pattern matches starts with it."""
    cut = len(path)
    for marker in ("*", "{{"):
        index = path.find(marker)
        if index != -1:
            cut = min(cut, index)
    segments = path[:cut].split("/")
    for index, segment in enumerate(segments):
        if segment == "+":
            return "/".join(segments[:index]) + ("/" if index else "")
    return path[:cut]


def confined(path: str, prefix: str) -> bool:
    return literal_head(path).startswith(prefix)


@lru_cache(maxsize=8192)
def reaches(path: str, target: str) -> bool:
    exact = target.endswith("$")
    target_segments = tuple((target[:-1] if exact else target).split("/"))
    return _reaches(parse_pattern(path), target_segments, exact)


def _reaches(pattern: Pattern, target: tuple[str, ...], exact: bool) -> bool:
    last = len(pattern.segments) - 1
    for index, segment in enumerate(pattern.segments):
        if index >= len(target):
            # Past the target's last segment: inside its subtree, which an exact target excludes.
            return not exact
        if index == last and pattern.tail_glob:
            return _prefix_compatible(segment.text, target[index])
        if not _segment_compatible(segment, target[index]):
            return False
    return len(pattern.segments) >= len(target)


def _segment_compatible(segment: Segment, target_segment: str) -> bool:
    if segment.kind in (ANY, TEMPLATE) or target_segment == "+":
        return True
    if target_segment.endswith("*"):
        return segment.text.startswith(target_segment[:-1])
    return segment.text == target_segment


def _prefix_compatible(pattern_prefix: str, target_segment: str) -> bool:
    """The pattern's last segment is a prefix (the concrete segment starts with it, and may go on past `/`)."""
    if target_segment == "+":
        return True
    if target_segment.endswith("*"):
        literal = target_segment[:-1]
        return pattern_prefix.startswith(literal) or literal.startswith(pattern_prefix)
    return target_segment.startswith(pattern_prefix)


def within(inner: str, outer: str) -> bool:
    """Every concrete path `inner` matches is also matched by `outer` (templates compared as text)."""
    a, b = parse_pattern(inner), parse_pattern(outer)
    last_b = len(b.segments) - 1
    for index, seg in enumerate(b.segments):
        if index >= len(a.segments):
            return False
        mine = a.segments[index]
        inner_tail_here = a.tail_glob and index == len(a.segments) - 1
        if index == last_b and b.tail_glob:
            if mine.kind == ANY:
                return seg.text == ""
            return mine.text.startswith(seg.text)
        if inner_tail_here:
            return False
        if seg.kind == ANY:
            continue
        if mine.kind != seg.kind or mine.text != seg.text:
            return False
    return len(a.segments) == len(b.segments) and not a.tail_glob
