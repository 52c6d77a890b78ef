"""The terminal rendering of a plan; its resource lines are also the body of the markdown's diff blocks."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from infra.plan.diff import MISSING, FieldChange, ResourceChange, option_values
from infra.plan.model import Resource, short_names
from infra.plan.permissions import Identity, IdentityChange, capability_list
from infra.plan.report import Report
from infra.replacements import runbook

MAX_VALUE = 160
_DEFAULT_OPTIONS = {
    "protect": False,
    "ignore_changes": [],
    "delete_before_replace": False,
    "replace_on_changes": [],
    "retain_on_delete": False,
    "import_id": "",
}
SYMBOL = {"add": "+", "remove": "-", "update": "~", "replace": "-/+"}


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def oneline(line: str) -> str:
    """A printed line stays one line: control characters in a name or value (from a PR) are escaped, so
    nothing can forge the lines that follow it."""
    return _CONTROL.sub(lambda m: json.dumps(m.group())[1:-1], line)


def lines_text(lines: list[str]) -> str:
    return "\n".join(oneline(line) for line in lines) + "\n"


def show(value: Any) -> str:
    """One value on one line: JSON for structures, long text summarized (inputs are already masked)."""
    if value is MISSING:
        return "(none)"
    if isinstance(value, str) and "\n" in value:
        digest = hashlib.sha256(value.encode()).hexdigest()[:12]
        return f"<{value.count(chr(10)) + 1} lines, sha256:{digest}>"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 3] + "..."


def caps(capabilities: Any) -> str:
    return ", ".join(capability_list(capabilities))


def options_line(resource: Resource, names: Mapping[str, str]) -> list[str]:
    """The options a reviewer should see (non-defaults, and the provider), then the dependencies."""
    values = option_values(resource, names)
    shown = []
    for key, default in _DEFAULT_OPTIONS.items():
        value = values[key]
        if value == default:
            continue
        shown.append(key if value is True else f"{key}={show(value)}")
    if values["provider"]:
        shown.append(f"provider={values['provider']}")
    lines = [f"    options: {', '.join(shown)}"] if shown else []
    if values["dependencies"]:
        lines.append(f"    depends on: {', '.join(values['dependencies'])}")
    return lines


def resource_lines(
    resource: Resource, names: Mapping[str, str], symbol: str = "+", full_text: bool = False
) -> list[str]:
    """`full_text`: multi-line inputs (policies, server HCL) in full, as a diff shows what it adds."""
    lines = [f"{symbol} {resource.type}  {resource.name}"]
    for key, value in sorted(resource.inputs.items()):
        if value in (None, "", [], {}):
            continue
        if full_text and isinstance(value, str) and "\n" in value:
            lines += [f"    {key}: |", *(f"      {line}" for line in value.splitlines())]
        else:
            lines.append(f"    {key}: {show(value)}")
    return lines + options_line(resource, names)


def _field_lines(change: FieldChange, marked: bool) -> list[str]:
    """One changed input: `path: old -> new`, or -/+ line pairs for a diff block (`marked`)."""
    if change.secret:
        return [f"{'~' if marked else ''}   {change.path}: [secret] (value changed)"]
    old, new = change.old, change.new
    if isinstance(old, str) and isinstance(new, str) and ("\n" in old or "\n" in new):
        body = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1)
        hunks = [line for line in body if not line.startswith(("---", "+++"))]
        if marked:  # keep the +/- in the first column, where a diff block colours it
            return [
                f"    {change.path}:",
                *(f"        {h}" if h.startswith("@@") else f"{h[:1]}       {h[1:]}" for h in hunks),
            ]
        return [f"    {change.path}:", *(f"      {h}" for h in hunks)]
    if marked:
        return [f"-   {change.path}: {show(old)}", f"+   {change.path}: {show(new)}"]
    return [f"    {change.path}: {show(old)} -> {show(new)}"]


def change_lines(change: ResourceChange, names: Mapping[str, str], marked: bool = False) -> list[str]:
    """One resource change. `marked`: every line starts with a diff marker (markdown ```diff blocks)."""
    r = change.resource
    if change.action == "add":
        lines = resource_lines(r, names, "+", full_text=True)
        return [line if not marked or line.startswith("+") else "+" + line[1:] for line in lines]
    if change.action == "remove":
        note = "  (protected: the engine refuses to delete it)" if r.protect else ""
        return [f"- {r.type}  {r.name}{note}"]
    head = f"{SYMBOL[change.action] if not marked else '!'} {r.type}  {r.name}"
    if change.action == "replace":
        how = "delete, then create" if change.deletes_first else "create, then delete"
        head += f"  (replace, {how}; forced by {', '.join(change.forced_by)})"
        if r.protect:
            head += "  (protected: the engine refuses the replacement)"
        if runbook(r.type):
            head += f"  (to change it another way: {runbook(r.type)})"
    lines = [head]
    for field in change.fields:
        lines += _field_lines(field, marked)
    for option in change.options:
        if marked:
            lines += [
                f"-   option {option.option}: {show(option.old)}",
                f"+   option {option.option}: {show(option.new)}",
            ]
        else:
            lines.append(f"    option {option.option}: {show(option.old)} -> {show(option.new)}")
    return lines


def identity_lines(identity: Identity, indent: str = "  ") -> list[str]:
    about = f"policies: {', '.join(identity.policies)}"
    if identity.entities:
        about += f"; entity {', '.join(identity.entities)}"
    lines = [f"{indent}{identity.key}  ({about})"]
    width = max((len(p) for p in identity.grants), default=0)
    for path, capabilities in identity.grants.items():
        lines.append(f"{indent}    {path.ljust(width)}  {caps(capabilities)}")
    lines += [f"{indent}    note: {note}" for note in identity.notes]
    return lines


def identity_change_lines(change: IdentityChange, indent: str = "  ") -> list[str]:
    current = change.new or change.old
    assert current is not None
    if change.status == "added":
        head = f"+ {change.key}  (new identity; policies: {', '.join(current.policies)})"
    elif change.status == "removed":
        head = f"- {change.key}  (identity removed)"
    else:
        head = f"~ {change.key}"
        if change.policies_added or change.policies_removed:
            moved = [f"+{p}" for p in change.policies_added] + [f"-{p}" for p in change.policies_removed]
            head += f"  (policies {' '.join(moved)})"
    lines = [indent + head]
    now = change.new.grants if change.new else {}
    for path in sorted(set(change.gained) | set(change.lost)):
        gained, lost = change.gained.get(path, frozenset()), change.lost.get(path, frozenset())
        delta = " ".join(
            [f"+{c}" for c in capability_list(gained)] + [f"-{c}" for c in capability_list(lost)]
        )
        state = f"now: {caps(now[path])}" if path in now else "no access"
        symbol = "+" if not lost else "-" if not gained else "~"
        lines.append(f"{indent}    {symbol} {path}  {delta}  ({state})")
    return lines


def findings_lines(report: Report) -> list[str]:
    f = report.findings
    lines = [f"policy findings: {len(f.violations)} violation(s), {f.exempted_count} exempted"]
    lines += [f"  {subject}: {rule}: {message}" for subject, rule, message in f.violations]
    lines += [
        f"  {subject}: {rule}: exempted ({count} path(s)): {reason}"
        for subject, rule, reason, count in f.exempted
    ]
    lines += [f"  {subject}: {rule}: info: {message}" for subject, rule, message in f.notices]
    return lines


UNSET_HINT = "a real `pulumi preview`/`up` refuses the stack until they are set (docs/bootstrap.md)"


def unset_lines(report: Report) -> list[str]:
    """The operator values still missing, first thing a reviewer reads (empty when none)."""
    if not report.unset:
        return []
    return [
        f"not deployable yet: {len(report.unset)} operator value(s) unset, shown with stand-ins; {UNSET_HINT}:",
        *(f"  unset: {key}" for key in report.unset),
        "",
    ]


def summary_line(report: Report) -> str:
    a = report.against
    assert a is not None
    c, i = report.counts(), report.identity_counts()
    return (
        f"plan for stack {report.stack} against {a.ref} ({a.commit[:12]}): "
        f"{c['add']} to add, {c['update']} to update, {c['replace']} to replace, {c['remove']} to remove; "
        f"identities: {i['added']} added, {i['changed']} changed, {i['removed']} removed"
    )


def render(report: Report) -> str:
    if report.against is None:
        return _listing(report)
    names = short_names([r.urn for r in report.new.resources] + [r.urn for r in report.against.old.resources])
    out = [summary_line(report)]
    if report.against.note:
        out.append(f"note: {report.against.note}")
    out.append("")
    out += unset_lines(report)
    for change in report.changes:
        out += change_lines(change, names)
    if not report.changes:
        out.append("no resource changes")
    out += ["", "effective permission changes:"]
    for identity_change in report.identity_changes:
        out += identity_change_lines(identity_change)
    if not report.identity_changes:
        out.append("  none")
    out += ["", *findings_lines(report)]
    return lines_text(out)


def _listing(report: Report) -> str:
    resources = report.new.resources
    names = short_names(r.urn for r in resources)
    out: list[str] = unset_lines(report)
    for resource in resources:
        out += resource_lines(resource, names)
    counts = Counter(r.type for r in resources)
    out += ["", f"{len(resources)} resources in stack {report.stack}:"]
    out += [f"  {count:4d}  {type_token}" for type_token, count in sorted(counts.items())]
    out += ["", f"effective permissions ({len(report.identities)} identities):"]
    for identity in report.identities.values():
        out += identity_lines(identity)
    out += ["", *findings_lines(report)]
    return lines_text(out)
