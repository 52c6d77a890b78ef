"""The result types every rule returns, shared by the linter, the resource checks and the pack."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    rule_id: str
    message: str
    subject: str
    exempted: bool = False
    reason: str = ""


class PolicyParseError(ValueError):
    """The text is not a policy Vault would accept: a lint must not pass what the server would refuse."""
