"""Every policy test starts with the engine's caches empty, so no test depends on what another parsed (and
mutation testing sees each mutant run, not a result cached before the mutant was switched on)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from policies.rules import acl_model, acl_paths, lint, registry


@pytest.fixture(autouse=True)
def _fresh_engine_caches() -> Iterator[None]:
    caches = (lint._lint, acl_model._parse_cached, acl_paths.parse_pattern, acl_paths.reaches,
              registry.rules_for_type)  # fmt: skip
    for cache in caches:
        cache.cache_clear()
    yield
