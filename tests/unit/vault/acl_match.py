"""Vault's path matching, small and literal, for tests that ask "which block decides this path?".

Exact paths win over patterns; among patterns the one with the longest literal prefix before its first
wildcard wins (then: fewer `+` segments, then the longer pattern) - the precedence Vault documents
for its ACLs (developer.hashicorp.com/vault/docs/concepts/policies, "priority matching").
"""

from __future__ import annotations

from typing import Any

import hcl2


def _unquote(value: Any) -> Any:
    if isinstance(value, str):
        return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    if isinstance(value, list):
        return [_unquote(v) for v in value]
    if isinstance(value, dict):
        return {_unquote(k): _unquote(v) for k, v in value.items() if not k.startswith("__")}
    return value


def blocks(text: str) -> dict[str, dict[str, Any]]:
    """Path -> block body (capabilities, allowed_parameters...), quotes stripped."""
    parsed = hcl2.loads(text)
    out: dict[str, dict[str, Any]] = {}
    for block in parsed.get("path", []):
        for path, body in block.items():
            out[_unquote(path)] = _unquote(body)
    return out


def matches(pattern: str, path: str) -> bool:
    prefix = pattern.endswith("*")
    want = pattern[:-1] if prefix else pattern
    p_parts, parts = want.split("/"), path.split("/")
    if not prefix and len(p_parts) != len(parts):
        return False
    if prefix and len(parts) < len(p_parts):
        return False
    for index, segment in enumerate(p_parts):
        last = index == len(p_parts) - 1
        if segment == "+":
            continue
        if prefix and last:
            return parts[index].startswith(segment) or "/".join(parts[index:]).startswith(segment)
        if segment != parts[index]:
            return False
    return True


def _rank(pattern: str) -> tuple[int, int, int, int]:
    exact = "*" not in pattern and "+" not in pattern.split("/")
    first = min((i for i in (pattern.find("*"), pattern.find("+")) if i >= 0), default=len(pattern))
    return (int(exact), first, -pattern.split("/").count("+"), len(pattern))


def deciding_block(policy: dict[str, dict[str, Any]], path: str) -> tuple[str, dict[str, Any]] | None:
    candidates = [pattern for pattern in policy if matches(pattern, path)]
    if not candidates:
        return None
    best = max(candidates, key=_rank)
    return best, policy[best]


def capabilities(policy: dict[str, dict[str, Any]], path: str) -> set[str]:
    found = deciding_block(policy, path)
    return set(found[1]["capabilities"]) if found else set()
