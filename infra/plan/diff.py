"""Resource diff of two runs: added, removed, changed (field by field), replacements, option changes.

Resources are matched by URN (or by an alias the new one declares). Values are the masked inputs:
a secret shows as `[secret]` on both sides and counts as changed only when the keyed digests differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from infra.plan.emit import child_path
from infra.plan.model import Resource, Snapshot, short_names
from infra.replacements import deletes_first, fed_fields, forced_by

SECRET = "[secret]"  # noqa: S105 (the placeholder, not a secret)


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: Any  # `MISSING` when the input is new
    new: Any  # `MISSING` when the input is gone
    secret: bool = False  # both sides secret, digests differ: the value changed, neither is shown


@dataclass(frozen=True)
class OptionChange:
    option: str
    old: Any
    new: Any


@dataclass(frozen=True)
class ResourceChange:
    action: str  # add | remove | update | replace
    old: Resource | None
    new: Resource | None
    fields: tuple[FieldChange, ...] = ()
    options: tuple[OptionChange, ...] = ()
    forced_by: tuple[str, ...] = ()  # the changed inputs that force the replacement
    deletes_first: bool = False  # a replacement deletes the old object before creating the new one

    @property
    def resource(self) -> Resource:
        resource = self.new or self.old
        assert resource is not None
        return resource


class _Missing:
    def __repr__(self) -> str:
        return "(none)"


MISSING: Any = _Missing()


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaf values by input path; lists of scalars stay one leaf (a role's policy list reads better whole)."""
    if isinstance(value, Mapping) and (value or not prefix):
        out: dict[str, Any] = {}
        for key in sorted(value):
            out.update(flatten(value[key], child_path(prefix, str(key))))
        return out
    if isinstance(value, list) and any(isinstance(v, Mapping | list) for v in value):
        out = {}
        for i, item in enumerate(value):
            out.update(flatten(item, child_path(prefix, i)))
        return out
    return {prefix: value}


def _secret_digests(resource: Resource, path: str) -> dict[str, str]:
    return {p: d for p, d in resource.secrets.items() if p == path or p.startswith((path + ".", path + "["))}


def field_changes(old: Resource, new: Resource) -> list[FieldChange]:
    before, after = flatten(dict(old.inputs)), flatten(dict(new.inputs))
    changes = []
    for path in sorted(set(before) | set(after)):
        a, b = before.get(path, MISSING), after.get(path, MISSING)
        if a == b:
            if _secret_digests(old, path) != _secret_digests(new, path):
                changes.append(FieldChange(path, a, b, secret=True))
            continue
        changes.append(FieldChange(path, a, b))
    return changes


def _dependency_names(resource: Resource, names: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(sorted(names.get(u, u) for u in resource.dependencies))


def option_values(resource: Resource, names: Mapping[str, str]) -> dict[str, Any]:
    """The options a reviewer compares, with URNs shown as short names."""
    return {
        "protect": resource.protect,
        "ignore_changes": list(resource.ignore_changes),
        "delete_before_replace": resource.delete_before_replace,
        "replace_on_changes": list(resource.replace_on_changes),
        "retain_on_delete": resource.retain_on_delete,
        "import_id": resource.import_id,
        "provider": names.get(resource.provider, resource.provider),
        "dependencies": list(_dependency_names(resource, names)),
    }


def option_changes(old: Resource, new: Resource, names: Mapping[str, str]) -> list[OptionChange]:
    a, b = option_values(old, names), option_values(new, names)
    return [OptionChange(key, a[key], b[key]) for key in a if a[key] != b[key]]


def diff(old: Snapshot, new: Snapshot) -> list[ResourceChange]:
    """Every difference, sorted by URN; resources with no difference are left out."""
    before, after = old.by_urn(), new.by_urn()
    names = short_names([*before, *after])
    compare_options = old.options_recorded and new.options_recorded
    # A resource renamed or moved with an alias is the same resource to the engine.
    matched = {urn: urn for urn in after if urn in before}
    for urn, resource in after.items():
        if urn not in matched:
            previous = next((a for a in resource.aliases if a in before and a not in after), None)
            if previous:
                matched[urn] = previous
    taken = set(matched.values())
    changes: list[ResourceChange] = []
    for urn in sorted(set(after) | set(before)):
        if urn in after and urn not in matched:
            changes.append(ResourceChange("add", None, after[urn]))
        elif urn in before and urn not in after and urn not in taken:
            changes.append(ResourceChange("remove", before[urn], None))
        elif urn in matched:
            a, b = before[matched[urn]], after[urn]
            fields = field_changes(a, b)
            options = option_changes(a, b, names) if compare_options else []
            if not fields and not options:
                continue
            forced = forced_by(
                b.type, [f.path for f in fields], b.inputs, _provider_inputs(b, after), b.replace_on_changes
            )
            action = "replace" if forced else "update"
            dbr = deletes_first(b.type, a.inputs, b.inputs, b.delete_before_replace)
            changes.append(ResourceChange(action, a, b, tuple(fields), tuple(options), tuple(forced), dbr))
    return _cascade(changes, before, after, matched, names)


def _provider_inputs(resource: Resource, resources: Mapping[str, Resource]) -> Mapping[str, Any]:
    provider = resources.get(resource.provider)
    return provider.inputs if provider else {}


def _cascade(
    changes: list[ResourceChange],
    before: Mapping[str, Resource],
    after: Mapping[str, Resource],
    matched: Mapping[str, str],
    names: Mapping[str, str],
) -> list[ResourceChange]:
    """Replacements that follow from others: an immutable input fed by a replaced resource's output
    gets that resource's new id, so the engine replaces the consumer too (mocks keep ids stable, so the
    inputs alone never show it)."""
    by_urn = {c.resource.urn: c for c in changes}
    replaced = {urn for urn, c in by_urn.items() if c.action == "replace"}
    grew = True
    while grew:
        grew = False
        for urn in sorted(matched):
            current = by_urn.get(urn)
            if urn in replaced or (current and current.action != "update"):
                continue
            b = after[urn]
            sources = {p: sorted(set(d) & replaced) for p, d in b.property_dependencies.items()}
            fed = fed_fields(
                b.type,
                [p for p, s in sources.items() if s],
                b.inputs,
                _provider_inputs(b, after),
                b.replace_on_changes,
            )
            if not fed:
                continue
            why = tuple(f"{p} (from {', '.join(names[u] for u in sources[p])}, replaced)" for p in fed)
            a = before[matched[urn]]
            fields, options = (current.fields, current.options) if current else ((), ())
            dbr = deletes_first(b.type, a.inputs, b.inputs, b.delete_before_replace)
            by_urn[urn] = ResourceChange(
                "replace", a, b, fields, options, (*why, *(current.forced_by if current else ())), dbr
            )
            replaced.add(urn)
            grew = True
    return [by_urn[urn] for urn in sorted(by_urn)]
