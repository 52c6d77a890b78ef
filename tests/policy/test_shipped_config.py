"""Every stack's shipped configuration passes the engine with no unexempted violation (issue 3, item 6)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from policies.rules import check_resource
from tests.conftest import STACKS


def _violations(resources: list) -> set[tuple[str, str, str, str]]:
    return {
        (finding.subject, finding.rule_id, finding.path, finding.message)
        for resource in resources
        for finding in check_resource(resource.type, resource.name, resource.inputs)
        if finding.violation
    }


@pytest.mark.parametrize("stack", STACKS)
def test_shipped_stack_has_no_unexempted_violation(stack: str, declared: Callable) -> None:
    assert _violations(declared(stack)) == set()


@pytest.mark.parametrize("stack", STACKS)
def test_shipped_policies_are_checked_at_all(stack: str, declared: Callable) -> None:
    # Guards the test above against passing vacuously if the program stopped declaring policies.
    policies = [r for r in declared(stack) if r.type == "vault:index/policy:Policy"]
    assert policies
    assert all(isinstance(r.inputs.get("policy"), str | dict) for r in policies)
