"""Numeric caps the resource rules enforce, overridable from the pack's config."""

from __future__ import annotations

from dataclasses import dataclass

DAY_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Limits:
    # 24h: long enough for a working day or a nightly job, short enough that a leaked token dies by tomorrow.
    max_ttl_seconds: float = DAY_SECONDS


DEFAULT_LIMITS = Limits()
