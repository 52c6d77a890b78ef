"""A program run as `vaultctl plan` reads it: records from `emit`, looked up by URN, named for people."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Resource:
    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    inputs: Mapping[str, Any]  # masked: secrets are "[secret]"
    secrets: Mapping[str, str]  # input path -> keyed digest (compared, never shown)
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    provider: str = ""
    protect: bool = False
    ignore_changes: tuple[str, ...] = ()
    delete_before_replace: bool = False
    replace_on_changes: tuple[str, ...] = ()
    retain_on_delete: bool = False
    import_id: str = ""
    aliases: tuple[str, ...] = ()
    options_recorded: bool = True

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> Resource:
        return cls(
            urn=data["urn"],
            type=data["type"],
            name=data["name"],
            custom=bool(data["custom"]),
            parent=data.get("parent", ""),
            inputs=data.get("inputs", {}),
            secrets=data.get("secrets", {}),
            dependencies=tuple(data.get("dependencies", ())),
            property_dependencies={k: tuple(v) for k, v in data.get("property_dependencies", {}).items()},
            provider=data.get("provider", ""),
            protect=bool(data.get("protect", False)),
            ignore_changes=tuple(data.get("ignore_changes", ())),
            delete_before_replace=bool(data.get("delete_before_replace", False)),
            replace_on_changes=tuple(data.get("replace_on_changes", ())),
            retain_on_delete=bool(data.get("retain_on_delete", False)),
            import_id=data.get("import_id", ""),
            aliases=tuple(data.get("aliases", ())),
            options_recorded=bool(data.get("options_recorded", True)),
        )

    def dependency_urns(self, prop: str) -> tuple[str, ...]:
        """The URNs behind one input (through Outputs), else every dependency (explicit depends_on)."""
        return self.property_dependencies.get(prop) or self.dependencies


@dataclass(frozen=True)
class Snapshot:
    """Every resource of one run, sorted by URN (the order every output uses)."""

    resources: tuple[Resource, ...]

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> Snapshot:
        return cls(tuple(sorted((Resource.from_record(r) for r in records), key=lambda r: r.urn)))

    def by_urn(self) -> dict[str, Resource]:
        return {r.urn: r for r in self.resources}

    @property
    def options_recorded(self) -> bool:
        return all(r.options_recorded for r in self.resources)

    def of_type(self, *type_tokens: str) -> list[Resource]:
        return [r for r in self.resources if r.type in type_tokens]


def type_label(type_token: str) -> str:
    """`vault:index/policy:Policy` -> `Policy`; `pulumi:providers:vault` -> `providers:vault`."""
    if type_token.startswith("pulumi:providers:"):
        return type_token.removeprefix("pulumi:")
    return type_token.rsplit(":", 1)[-1]


def urn_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def urn_type(urn: str) -> str:
    # urn:pulumi:STACK::PROJECT::PARENT$TYPE::NAME: the last type in the chain is the resource's.
    parts = urn.split("::")
    return parts[-2].rsplit("$", 1)[-1] if len(parts) >= 4 else ""


def short_names(urns: Iterable[str]) -> dict[str, str]:
    """A reviewer's name per URN: the logical name, with its type where two resources share it."""
    urns = sorted(set(urns))
    counts = Counter(urn_name(u) for u in urns)
    return {
        u: urn_name(u) if counts[urn_name(u)] == 1 else f"{urn_name(u)} ({type_label(urn_type(u))})"
        for u in urns
    }
