"""Plain Python values out of whatever a resource's inputs arrive as.

Inputs come as plain dicts (Pulumi mocks), as CrossGuard's `unknown_checking_proxy` (a Mapping that is not a
dict, whose lists are not lists), and with secrets wrapped in Pulumi's signature dict. Every rule reads inputs
through `field`, so none of them has to know which of these it got.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"  # noqa: S105 - Pulumi's public wire signature, not a credential
SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270"  # noqa: S105 - same


def plain(value: Any) -> Any:
    """Deep-copy `value` into dicts, lists and scalars, unwrapping secrets.

    Reading a CrossGuard proxy item raises `UnknownValueError` when the value is unknown at preview: we let
    it propagate, because the pack turns it into an advisory "can't run during preview" diagnostic.
    """
    if isinstance(value, Mapping):
        if value.get(SECRET_SIG_KEY) == SECRET_SIG_VALUE and "value" in value:
            return plain(value["value"])
        return {str(key): plain(value[key]) for key in value}
    if isinstance(value, str | bytes):
        return value
    if isinstance(value, Sequence):
        return [plain(value[index]) for index in range(len(value))]
    return value


def field(inputs: Mapping[str, Any], key: str) -> Any:
    """One input, converted to plain values; None when absent. Reads only that key (unknowns elsewhere stay
    unread)."""
    if key not in inputs:
        return None
    return plain(inputs[key])


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def truthy(value: Any) -> bool:
    """Provider inputs carry booleans as bools or as strings ("true") depending on the schema path."""
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600, "d": 86400}


def seconds(value: Any) -> float | None:
    """A Vault duration (int seconds, "3600", "1h30m", "768h") in seconds; None when unset or unreadable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        return None
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)
