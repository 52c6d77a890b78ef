"""The one finding type every rule produces, shared by the linter, the resource checks, the CLI and the pack."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    rule_id: str
    message: str
    subject: str  # what was checked: a file path, or "<type token> <logical name>" for a resource
    exempted: bool = False
    reason: str = ""  # the exemption's reason, when exempted
    path: str = ""  # the ACL path pattern the finding is about ("" for resource rules)
    advisory: bool = False  # informational (e.g. a declared share): listed, never a violation

    @property
    def violation(self) -> bool:
        return not (self.exempted or self.advisory)


class PolicyParseError(ValueError):
    """The text is not a policy Vault would accept: a lint must not pass what the server would refuse."""
