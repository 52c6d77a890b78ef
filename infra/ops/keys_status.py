"""How old each provider key is, and which are overdue: pure functions over KV v2 metadata.

A key's value was set, at the latest, when its current version was written (`created_time`, which Vault
writes and no client can set). `vaultctl keys rotate` also records the rotation in the key's custom
metadata (`last_rotation`, `rotated_by`, `rotation_version`): after a rollback the current version holds
an older value, and the record says how old. The record is only believed to make a key look *older*
than its version (the earlier of the two times wins), so a forged or stale record cannot hide an
overdue key. The rotation period comes from the catalog (code), never from the metadata a rotator can
patch.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

from infra.config import AiKey, Service, StackConfig
from infra.vault.ai_keys import KEYS_PREFIX, declared_metadata, format_period, key_path

# The rotation record `vaultctl keys rotate` merges into the key's custom metadata.
LAST_ROTATION = "last_rotation"
ROTATED_BY = "rotated_by"
ROTATION_VERSION = "rotation_version"
LAST_FAILED = "last_failed_rotation"
LAST_FAILED_BY = "last_failed_by"

OK, OVERDUE, MISSING, UNDECLARED = "ok", "overdue", "missing", "undeclared"
PROBLEMS = (OVERDUE, MISSING, UNDECLARED)


def parse_time(value: Any) -> dt.datetime | None:
    """Vault's RFC 3339 times (nanoseconds included) as aware datetimes; None when absent or invalid."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    if "." in text:  # Python takes at most microseconds
        head, _, rest = text.partition(".")
        digits = "".join(c for c in rest if c.isdigit())
        text = f"{head}.{digits[:6]}{rest[len(digits) :]}"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def format_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_age(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds >= 86_400:
        return f"{seconds // 86_400}d"
    if seconds >= 3_600:
        return f"{seconds // 3_600}h"
    return f"{seconds // 60}m"


@dataclass(frozen=True)
class KeyStatus:
    provider: str
    service: str
    state: str
    owner: str = ""
    period: int = 0  # seconds, from the catalog
    version: int = 0
    set_at: dt.datetime | None = None
    age: float | None = None  # seconds
    rotated_by: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        return f"{self.provider}/{self.service}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.name,
            "path": key_path(self.provider, self.service),
            "state": self.state,
            "owner": self.owner,
            "rotation_period": format_period(self.period) if self.period else None,
            "version": self.version or None,
            "set_at": format_time(self.set_at) if self.set_at else None,
            "age_days": round(self.age / 86_400, 1) if self.age is not None else None,
            "rotated_by": self.rotated_by or None,
            "notes": list(self.notes),
        }


def _current_version(meta: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
    current = int(meta.get("current_version") or 0)
    versions = meta.get("versions") or {}
    return current, versions.get(str(current)) if current else None


def assess(service: Service, key: AiKey, meta: dict[str, Any] | None, now: dt.datetime) -> KeyStatus:
    """One declared key's status from its metadata (`None`: no metadata at all)."""
    status = functools.partial(
        KeyStatus, provider=key.provider, service=service.name, owner=key.owner, period=key.rotation_period
    )
    if meta is None:
        return status(state=MISSING, notes=("no metadata: the Vault layer has not been applied",))
    notes: list[str] = []
    custom = meta.get("custom_metadata") or {}
    declared = declared_metadata(service, key)
    drift = sorted(k for k, v in declared.items() if custom.get(k) != v)
    if drift:
        notes.append(f"metadata differs from the catalog: {', '.join(drift)} (re-apply the Vault layer)")
    if custom.get(LAST_FAILED):
        notes.append(f"last failed rotation {custom[LAST_FAILED]} by {custom.get(LAST_FAILED_BY, '?')}")
    current, version = _current_version(meta)
    if not version or version.get("deletion_time") or version.get("destroyed"):
        what = "never written" if not current else f"version {current} deleted"
        return status(state=MISSING, version=current, notes=(what, *notes))
    created = parse_time(version.get("created_time"))
    set_at, rotated_by = created, ""
    recorded = parse_time(custom.get(LAST_ROTATION))
    if custom.get(ROTATION_VERSION) == str(current) and recorded is not None:
        rotated_by = str(custom.get(ROTATED_BY, ""))
        # The value is no newer than the version holding it: a record only ever makes it older.
        set_at = min(recorded, created) if created else recorded
    else:
        notes.append(f"version {current} has no rotation record (written outside `vaultctl keys rotate`)")
    age = (now - set_at).total_seconds() if set_at else None
    state = OVERDUE if age is None or age > key.rotation_period else OK
    return status(
        state=state, version=current, set_at=set_at, age=age, rotated_by=rotated_by, notes=tuple(notes)
    )


def undeclared(cfg: StackConfig, listed: dict[str, list[str]]) -> list[KeyStatus]:
    """Keys found under `ai/providers/` (provider -> services) that the catalog does not declare: a key
    nobody owns and nothing rotates."""
    declared = {(key.provider, service.name) for service, key in cfg.provider_keys()}
    return [
        KeyStatus(provider=p, service=s, state=UNDECLARED, notes=("not in the services catalog",))
        for p, services in sorted(listed.items())
        for s in sorted(services)
        if (p, s) not in declared
    ]


def render_text(statuses: list[KeyStatus], now: dt.datetime) -> str:
    header = ("KEY", "STATE", "AGE", "PERIOD", "VERSION", "OWNER", "ROTATED BY")
    rows = [
        (
            s.name,
            s.state.upper() if s.state in PROBLEMS else s.state,
            format_age(s.age) if s.age is not None else "-",
            format_period(s.period) if s.period else "-",
            str(s.version or "-"),
            s.owner or "-",
            s.rotated_by or "-",
        )
        for s in statuses
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in [header, *rows]
    ]
    for s in statuses:
        lines += [f"  {s.name}: {note}" for note in s.notes]
    problems = [s for s in statuses if s.state in PROBLEMS]
    lines.append(
        f"{len(statuses)} key(s) under {KEYS_PREFIX}/ at {format_time(now)}: "
        + (f"{len(problems)} need attention" if problems else "all within their rotation period")
    )
    return "\n".join(lines)


def render_markdown(statuses: list[KeyStatus], now: dt.datetime, stack: str) -> str:
    lines = [
        f"### Provider keys, stack `{stack}` ({format_time(now)})",
        "",
        "| key | state | age | period | version | owner | rotated by | notes |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for s in statuses:
        state = f"**{s.state}**" if s.state in PROBLEMS else s.state
        age = format_age(s.age) if s.age is not None else "-"
        period = format_period(s.period) if s.period else "-"
        notes = "; ".join(s.notes).replace("|", "\\|")
        lines.append(
            f"| `{s.name}` | {state} | {age} | {period} | {s.version or '-'} | {s.owner or '-'} "
            f"| {s.rotated_by or '-'} | {notes} |"
        )
    return "\n".join(lines)
