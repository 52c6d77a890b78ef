"""The one place `vaultctl plan` parses Vault policy text: swap the parser here and nowhere else.

Today it is `policies.rules.acl_model.parse_policy`. The result is what the permission diff needs: each
path with its capabilities, duplicates merged the way Vault merges them (union; `deny` wins).
"""

from __future__ import annotations

from functools import lru_cache

from policies.rules.acl_model import parse_policy
from policies.rules.findings import PolicyParseError

ParseError = PolicyParseError


@lru_cache(maxsize=4096)
def path_capabilities(text: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """(path, capabilities) per path block; raises `ParseError` when Vault would refuse the policy."""
    return tuple((rule.path, frozenset(rule.capabilities)) for rule in parse_policy(text).paths)
