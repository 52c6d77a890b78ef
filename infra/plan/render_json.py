"""The machine-readable rendering: one JSON document, keys sorted, lists in URN / identity / path order.

Values are the masked inputs (`[secret]`); a secret whose value changed is `{"secret_changed": true}`
with `[secret]` on both sides. Secret digests are never part of it.
"""

from __future__ import annotations

import json
from typing import Any

from infra.plan.diff import MISSING, ResourceChange, option_values
from infra.plan.model import Resource, short_names
from infra.plan.permissions import Edge, Identity, IdentityChange, capability_list
from infra.plan.report import Report
from infra.replacements import runbook

SCHEMA = 1


def _value(value: Any) -> Any:
    return None if value is MISSING else value


def _resource(r: Resource, names: dict[str, str]) -> dict[str, Any]:
    return {
        "urn": r.urn,
        "type": r.type,
        "name": r.name,
        "custom": r.custom,
        "parent": names.get(r.parent, r.parent),
        "inputs": r.inputs,
        "options": option_values(r, names),
    }


def _change(change: ResourceChange, names: dict[str, str]) -> dict[str, Any]:
    r = change.resource
    out: dict[str, Any] = {"action": change.action, "urn": r.urn, "type": r.type, "name": r.name}
    if change.action in ("add", "remove"):
        out["resource"] = _resource(r, names)
        return out
    out["fields"] = [
        {"path": f.path, "old": _value(f.old), "new": _value(f.new), "secret_changed": f.secret}
        for f in change.fields
    ]
    out["options"] = [{"option": o.option, "old": o.old, "new": o.new} for o in change.options]
    out["forced_by"] = list(change.forced_by)
    out["protect"] = r.protect
    out["deletes_first"] = change.deletes_first
    out["runbook"] = runbook(r.type) if change.action == "replace" else ""
    return out


def _grants(grants: dict[str, frozenset[str]] | Any) -> dict[str, list[str]]:
    return {path: capability_list(caps) for path, caps in sorted(grants.items())}


def _identity(identity: Identity) -> dict[str, Any]:
    return {
        "identity": identity.key,
        "method": identity.method,
        "urn": identity.urn,
        "policies": list(identity.policies),
        "entities": list(identity.entities),
        "grants": _grants(identity.grants),
        "sources": {p: list(s) for p, s in identity.sources.items()},
        "notes": list(identity.notes),
    }


def _identity_change(change: IdentityChange) -> dict[str, Any]:
    return {
        "identity": change.key,
        "status": change.status,
        "gained": _grants(change.gained),
        "lost": _grants(change.lost),
        "policies_added": list(change.policies_added),
        "policies_removed": list(change.policies_removed),
    }


def _edge(edge: Edge) -> dict[str, Any]:
    return {
        "identity": edge.identity,
        "mount": edge.mount,
        "status": edge.status,
        "old": capability_list(edge.old),
        "new": capability_list(edge.new),
        "gained": capability_list(edge.gained),
        "lost": capability_list(edge.lost),
    }


def render(report: Report) -> str:
    f = report.findings
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "stack": report.stack,
        "identities": [_identity(i) for i in report.identities.values()],
        "edges": [_edge(e) for e in report.edges],
        "unset": list(report.unset),
        "findings": {
            "violations": [{"subject": s, "rule": r, "message": m} for s, r, m in f.violations],
            "exempted": [{"subject": s, "rule": r, "reason": why, "paths": n} for s, r, why, n in f.exempted],
            "notices": [{"subject": s, "rule": r, "message": m} for s, r, m in f.notices],
        },
    }
    if report.against is None:
        names = short_names(r.urn for r in report.new.resources)
        doc["resources"] = [_resource(r, names) for r in report.new.resources]
    else:
        a = report.against
        names = short_names([r.urn for r in report.new.resources] + [r.urn for r in a.old.resources])
        doc["against"] = {"ref": a.ref, "commit": a.commit, "note": a.note}
        doc["summary"] = {"resources": report.counts(), "identities": report.identity_counts()}
        doc["changes"] = [_change(c, names) for c in report.changes]
        doc["permission_changes"] = [_identity_change(c) for c in report.identity_changes]
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
