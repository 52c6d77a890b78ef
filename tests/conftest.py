"""Shared fixtures: the program's declarations per stack, computed once per test session."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from infra.harness import DeclaredResource, run_program
from tests.ci_skips import pytest_runtest_makereport  # noqa: F401 (a hook: in CI, server tests never skip)

STACKS = ("prod", "staging", "local")


@pytest.fixture(scope="session")
def declared() -> Callable[[str], list[DeclaredResource]]:
    cache: dict[str, list[DeclaredResource]] = {}

    def get(stack: str) -> list[DeclaredResource]:
        if stack not in cache:
            cache[stack] = run_program(stack)
        return cache[stack]

    return get


def of_type(resources: list[DeclaredResource], type_token: str) -> list[DeclaredResource]:
    return [r for r in resources if r.type == type_token]
