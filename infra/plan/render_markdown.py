"""The PR-comment rendering: summary tables, a mermaid diagram of who reaches which mount, details.

The comment is posted for every PR, forks included, so everything the PR's code controls (names,
values, paths) is printed only inside code spans, code blocks or sanitized diagram labels: no markup,
link or mention from a PR reaches the rendered comment. The whole comment stays under GitHub's
65,536-character limit: tables are capped, and detail blocks are dropped (with a note) once full.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from infra.plan import render_text
from infra.plan.model import short_names
from infra.plan.permissions import Edge, capability_list
from infra.plan.report import Report
from infra.replacements import runbook

MAX_CHARS = 60_000
MAX_ROWS = 150
MAX_EDGES = 200
ACTION_WORD = {"add": "add", "update": "update", "replace": "**replace**", "remove": "**remove**"}
EDGE_STYLE = {
    "added": ("==>", "stroke:#1a7f37,stroke-width:3px"),
    "removed": ("-.->", "stroke:#cf222e,stroke-width:3px,stroke-dasharray:4"),
    "changed": ("-->", "stroke:#bf8700,stroke-width:3px"),
    "same": ("-->", ""),
}
NODE_STYLE = {
    "added": "stroke:#1a7f37,stroke-width:3px",
    "removed": "stroke:#cf222e,stroke-width:3px,stroke-dasharray:4",
    "changed": "stroke:#bf8700,stroke-width:3px",
}
_LABEL_UNSAFE = re.compile(r"[^A-Za-z0-9 _./:*+,@-]")


def code(text: str) -> str:
    """An inline code span safe inside a table cell, whatever the text holds."""
    text = " ".join(str(text).split()).replace("|", "\\|")
    if len(text) > 200:
        text = text[:197] + "..."
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fenced(lines: Iterable[str], language: str = "") -> str:
    body = "\n".join(render_text.oneline(line) for line in lines)
    ticks = "`" * max(3, max((len(run) for run in re.findall(r"`+", body)), default=0) + 1)
    return f"{ticks}{language}\n{body}\n{ticks}"


def details(summary: str, body: str) -> str:
    return f"<details><summary>{summary}</summary>\n\n{body}\n\n</details>"


def label(text: str) -> str:
    return '"' + _LABEL_UNSAFE.sub("_", text) + '"'


def _table(header: list[str], rows: list[list[str]], what: str) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows[:MAX_ROWS]]
    if len(rows) > MAX_ROWS:
        lines.append(
            f"\n_{len(rows) - MAX_ROWS} more {what} not shown: see the details below or run locally._"
        )
    return lines


def _node_status(edge_statuses: set[str]) -> str:
    """An identity is new when all its edges are, gone when all are, changed when any edge changed."""
    if edge_statuses == {"added"}:
        return "added"
    if edge_statuses == {"removed"}:
        return "removed"
    return "same" if edge_statuses == {"same"} else "changed"


def _trimmed(edges: list[Edge], highlight: bool) -> tuple[list[Edge], str]:
    """At most MAX_EDGES edges (when highlighting, those of identities the change touches first), and
    a note saying what was left out."""
    note = ""
    if highlight and len(edges) > MAX_EDGES:
        touched = {e.identity for e in edges if e.status != "same"}
        edges = [e for e in edges if e.identity in touched]
        note = "identities without changes are left out of the diagram"
    if len(edges) > MAX_EDGES:
        note = f"diagram limited to the first {MAX_EDGES} edges"
        edges = edges[:MAX_EDGES]
    return edges, note


def _node_classes(edges: list[Edge], ids: dict[str, str]) -> list[str]:
    """Mermaid classes colouring each identity by what the change does to it."""
    statuses: dict[str, set[str]] = {}
    for e in edges:
        statuses.setdefault(e.identity, set()).add(e.status)
    styles = []
    for status in ("added", "removed", "changed"):
        members = [ids[i] for i, s in sorted(statuses.items()) if _node_status(s) == status]
        if members:
            styles.append(f"  classDef {status} {NODE_STYLE[status]}")
            styles.append(f"  class {','.join(members)} {status}")
    return styles


def diagram(edges: Iterable[Edge], highlight: bool) -> list[str]:
    edges, note = _trimmed(list(edges), highlight)
    if not edges:
        return []
    identities = sorted({e.identity for e in edges})
    mounts = sorted({e.mount for e in edges})
    ids = {name: f"i{n}" for n, name in enumerate(identities)}
    mids = {name: f"m{n}" for n, name in enumerate(mounts)}
    lines = ["graph LR"]
    lines += [f"  {ids[name]}[{label(name)}]" for name in identities]
    lines += [f"  {mids[name]}[({label(name)})]" for name in mounts]
    styles = []
    for n, e in enumerate(edges):
        status = e.status if highlight else "same"
        arrow, style = EDGE_STYLE[status]
        text = ""
        if status != "same":
            gained = [f"+{c}" for c in capability_list(e.gained)]
            lost = [f"-{c}" for c in capability_list(e.lost)]
            text = f"|{label(' '.join(gained + lost))}|"
        lines.append(f"  {ids[e.identity]} {arrow}{text} {mids[e.mount]}")
        if style:
            styles.append(f"  linkStyle {n} {style}")
    if highlight:
        styles += _node_classes(edges, ids)
    out = [fenced(lines + styles, "mermaid")]
    if highlight:
        out.append(
            "Thick green: access this change adds; dashed red: access it removes; orange: capabilities changed."
        )
    if note:
        out.append(f"_{note}._")
    return out


def _resource_rows(report: Report) -> list[list[str]]:
    rows = []
    for change in report.changes:
        r = change.resource
        if change.action == "replace":
            what = "forced by " + ", ".join(code(p) for p in change.forced_by)
        elif change.action == "update":
            what = ", ".join(code(f.path) for f in change.fields[:8])
            what += (
                ", ".join(["", *(code("option " + o.option) for o in change.options)])
                if change.options
                else ""
            )
        else:
            what = ""
        if r.protect and change.action in ("remove", "replace"):
            what += " (protected: the engine refuses it)"
        if change.action == "replace" and runbook(r.type):
            what += f" (to change it another way: {code(runbook(r.type))})"
        rows.append([ACTION_WORD[change.action], code(r.type), code(r.name), what.strip(", ")])
    return rows


def _permission_rows(report: Report) -> list[list[str]]:
    rows = []
    for change in report.identity_changes:
        who = code(change.key) + ("" if change.status == "changed" else f" ({change.status})")
        paths = sorted(set(change.gained) | set(change.lost))
        for path in paths:
            gained = ", ".join(capability_list(change.gained.get(path, ())))
            lost = ", ".join(capability_list(change.lost.get(path, ())))
            rows.append([who, code(path), gained, lost])
        if not paths:
            moved = [f"+{p}" for p in change.policies_added] + [f"-{p}" for p in change.policies_removed]
            rows.append([who, "(policies " + code(" ".join(moved)) + ")", "", ""])
    return rows


def _grant_rows(report: Report) -> list[list[str]]:
    return [
        [
            code(identity.key),
            code(path),
            ", ".join(capability_list(caps)),
            code(", ".join(identity.sources[path])),
        ]
        for identity in report.identities.values()
        for path, caps in identity.grants.items()
    ]


def _findings(report: Report) -> tuple[list[str], str]:
    f = report.findings
    head = []
    if f.violations:
        head = [f"**{len(f.violations)} policy violation(s): the plan fails.**", ""]
        head += [
            f"- {code(subject)}: {code(rule)}: {code(message)}" for subject, rule, message in f.violations
        ]
    block = details(
        f"Policy findings: {len(f.violations)} violation(s), {f.exempted_count} exempted",
        fenced(render_text.findings_lines(report)),
    )
    return head, block


def _assemble(head: list[str], blocks: list[str]) -> str:
    text = "\n".join(head)
    dropped = 0
    for block in blocks:
        if len(text) + len(block) + 200 > MAX_CHARS:
            dropped += 1
            continue
        text += "\n\n" + block
    if dropped:
        text += (
            f"\n\n_{dropped} detail section(s) left out to fit a PR comment: run the same command locally._"
        )
    return text + "\n"


def render(report: Report) -> str:
    if report.against is None:
        return _listing(report)
    a = report.against
    c, i = report.counts(), report.identity_counts()
    names = short_names([r.urn for r in report.new.resources] + [r.urn for r in a.old.resources])
    findings_head, findings_block = _findings(report)
    head = [
        f"### `vaultctl plan` for stack {code(report.stack)} against {code(a.ref)} ({code(a.commit[:12])})",
        "",
        f"**Resources:** {c['add']} to add, {c['update']} to update, {c['replace']} to replace, "
        f"{c['remove']} to remove. **Identities:** {i['added']} added, {i['changed']} changed, "
        f"{i['removed']} removed.",
        "",
    ]
    head += _unset(report)
    if a.note:
        head += [f"_{a.note}_", ""]
    head += findings_head + ([""] if findings_head else [])
    if report.changes:
        head += _table(["action", "type", "name", "what changes"], _resource_rows(report), "resources")
    else:
        head.append("No resource changes.")
    head += ["", "#### Effective permissions", ""]
    rows = _permission_rows(report)
    if rows:
        head += _table(["identity", "path", "gained", "lost"], rows, "permission changes")
    else:
        head.append("No identity gains or loses access.")
    head += ["", *diagram(report.edges, highlight=True)]
    blocks = []
    if report.changes:
        body = [
            line for change in report.changes for line in render_text.change_lines(change, names, marked=True)
        ]
        blocks.append(details(f"Resource changes ({len(report.changes)})", fenced(body, "diff")))
    if report.identity_changes:
        body = [line for ch in report.identity_changes for line in render_text.identity_change_lines(ch, "")]
        blocks.append(
            details(f"Permission changes ({len(report.identity_changes)} identities)", fenced(body, "diff"))
        )
    body = [
        line for identity in report.identities.values() for line in render_text.identity_lines(identity, "")
    ]
    blocks.append(
        details(
            f"Effective permissions after this change ({len(report.identities)} identities)", fenced(body)
        )
    )
    blocks.append(findings_block)
    return _assemble(head, blocks)


def _unset(report: Report) -> list[str]:
    if not report.unset:
        return []
    keys = ", ".join(code(key) for key in report.unset)
    return [
        f"> **Not deployable yet:** {len(report.unset)} operator value(s) unset, shown with stand-ins: "
        f"{keys}. {render_text.UNSET_HINT[0].upper()}{render_text.UNSET_HINT[1:]}.",
        "",
    ]


def _listing(report: Report) -> str:
    resources = report.new.resources
    names = short_names(r.urn for r in resources)
    findings_head, findings_block = _findings(report)
    counts: dict[str, int] = {}
    for r in resources:
        counts[r.type] = counts.get(r.type, 0) + 1
    head = [f"### `vaultctl plan` for stack {code(report.stack)}: {len(resources)} resources", ""]
    head += _unset(report)
    head += findings_head + ([""] if findings_head else [])
    head += ["#### Effective permissions", ""]
    head += _table(["identity", "path", "capabilities", "via policies"], _grant_rows(report), "grants")
    head += ["", *diagram(report.edges, highlight=False)]
    blocks = [
        details(
            f"Resources by type ({len(counts)} types)",
            "\n".join(
                _table(["count", "type"], [[str(n), code(t)] for t, n in sorted(counts.items())], "types")
            ),
        ),
        details(
            f"Resources ({len(resources)})",
            fenced([line for r in resources for line in render_text.resource_lines(r, names)]),
        ),
        findings_block,
    ]
    return _assemble(head, blocks)
