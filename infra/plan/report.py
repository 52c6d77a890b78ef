"""Everything one `vaultctl plan` prints, computed once; the renderers only format it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from infra.plan.diff import ResourceChange, diff
from infra.plan.model import Snapshot
from infra.plan.permissions import Edge, Identity, IdentityChange, edges, identities, mounts, permission_diff


@dataclass(frozen=True)
class FindingSummary:
    violations: tuple[tuple[str, str, str], ...]  # (subject, rule id, message)
    exempted: tuple[tuple[str, str, str, int], ...]  # (subject, rule id, reason, paths)
    # Advisory findings (a declared cross-service share): listed for review, never a violation.
    notices: tuple[tuple[str, str, str], ...] = ()  # (subject, rule id, message)

    @classmethod
    def of(cls, findings: Iterable[Any]) -> FindingSummary:
        findings = list(findings)
        violations = sorted(
            {
                (f.subject, f.rule_id, f.message)
                for f in findings
                if not (f.exempted or getattr(f, "advisory", False))
            }
        )
        # One line per exemption, not per path it covers: the reason is what a reviewer reads.
        exempted = Counter((f.subject, f.rule_id, f.reason) for f in findings if f.exempted)
        notices = sorted(
            {(f.subject, f.rule_id, f.message) for f in findings if getattr(f, "advisory", False)}
        )
        return cls(tuple(violations), tuple((*k, n) for k, n in sorted(exempted.items())), tuple(notices))

    @property
    def exempted_count(self) -> int:
        return sum(n for *_, n in self.exempted)


@dataclass(frozen=True)
class Against:
    ref: str
    commit: str
    old: Snapshot
    note: str = ""  # e.g. the stack did not exist at REF


@dataclass(frozen=True)
class Report:
    stack: str
    new: Snapshot
    identities: dict[str, Identity]
    findings: FindingSummary
    edges: tuple[Edge, ...]
    against: Against | None = None
    changes: tuple[ResourceChange, ...] = ()
    identity_changes: tuple[IdentityChange, ...] = ()
    # Config keys the operator has not filled in yet (`infra.stacks.unset_values`): the plan shows them
    # with stand-ins, but a real `pulumi preview`/`up` refuses the stack until they are set.
    unset: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        counts = Counter(c.action for c in self.changes)
        return {action: counts.get(action, 0) for action in ("add", "update", "replace", "remove")}

    def identity_counts(self) -> dict[str, int]:
        counts = Counter(c.status for c in self.identity_changes)
        return {status: counts.get(status, 0) for status in ("added", "changed", "removed")}


def build(
    stack: str,
    new: Snapshot,
    findings: Iterable[Any],
    against: Against | None = None,
    unset: Iterable[str] = (),
) -> Report:
    now = identities(new)
    if against is None:
        return Report(
            stack,
            new,
            now,
            FindingSummary.of(findings),
            tuple(edges(None, now, [], mounts(new))),
            unset=tuple(unset),
        )
    before = identities(against.old)
    return Report(
        stack,
        new,
        now,
        FindingSummary.of(findings),
        tuple(edges(before, now, mounts(against.old), mounts(new))),
        against,
        tuple(diff(against.old, new)),
        tuple(permission_diff(before, now)),
        tuple(unset),
    )
