"""Reasoning about Vault path patterns without a server.

Vault matches a request path against a policy path that is exact, ends in a `*` prefix glob (which may cross
`/`), or has `+` segments matching exactly one segment. A rule asks one question: can this pattern match
some concrete path inside a target subtree? Targets are written as paths whose segments are literals, `+`
(any one segment) or `lit*` (a segment starting with `lit`); a trailing `$` makes the target one path
instead of a subtree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pattern:
    segments: tuple[str, ...]
    tail_glob: bool  # the last segment is a prefix and the match may continue past it


def pattern_of(path: str) -> Pattern:
    if path.endswith("*"):
        return Pattern(tuple(path[:-1].split("/")), True)
    return Pattern(tuple(path.split("/")), False)


def is_catch_all(path: str) -> bool:
    """Matches paths on every mount: nothing literal before the first wildcard."""
    return path.startswith(("*", "+"))


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


def reaches(path: str, target: str) -> bool:
    exact = target.endswith("$")
    target_segments = tuple((target[:-1] if exact else target).split("/"))
    pattern = pattern_of(path)
    return _reaches(pattern, target_segments, exact)


def _reaches(pattern: Pattern, target: tuple[str, ...], exact: bool) -> bool:
    last = len(pattern.segments) - 1
    for index, segment in enumerate(pattern.segments):
        if index >= len(target):
            # Past the target's last segment: inside its subtree, which an exact target excludes.
            return not exact
        if index == last and pattern.tail_glob:
            return _prefix_compatible(segment, target[index])
        if not _segment_compatible(segment, target[index]):
            return False
    return len(pattern.segments) >= len(target)


def _segment_compatible(pattern_segment: str, target_segment: str) -> bool:
    if pattern_segment == "+" or target_segment == "+":
        return True
    if "{{" in pattern_segment:
        # A template resolves to one caller-specific value; it can equal a literal only by accident of naming,
        # which the identity the template reads should make impossible.
        return False
    if target_segment.endswith("*"):
        return pattern_segment.startswith(target_segment[:-1])
    return pattern_segment == target_segment


def _prefix_compatible(pattern_prefix: str, target_segment: str) -> bool:
    """The pattern's last segment is a prefix (the concrete segment starts with it, and may go on past `/`)."""
    if target_segment == "+":
        return True
    if "{{" in pattern_prefix:
        return False
    if target_segment.endswith("*"):
        literal = target_segment[:-1]
        return pattern_prefix.startswith(literal) or literal.startswith(pattern_prefix)
    return target_segment.startswith(pattern_prefix)
