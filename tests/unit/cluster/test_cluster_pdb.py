"""PodDisruptionBudget: at most floor((n-1)/2) voters voluntarily down."""

from __future__ import annotations

import pytest

from infra.cluster.layout import SELECTOR
from infra.cluster.pdb import max_unavailable


@pytest.mark.parametrize(("stack", "allowed"), [("prod", 2), ("staging", 1)])
def test_pdb_keeps_quorum(program, one, stack, allowed):
    spec = one(program(stack), "kubernetes:policy/v1:PodDisruptionBudget").inputs["spec"]
    assert spec["maxUnavailable"] == allowed
    assert spec["selector"]["matchLabels"] == SELECTOR
    assert "minAvailable" not in spec


@pytest.mark.parametrize("voters", [3, 5, 7, 9])
def test_remaining_voters_are_always_a_majority(voters):
    assert voters - max_unavailable(voters) > voters // 2
    assert voters - (max_unavailable(voters) + 1) <= voters // 2  # and it is the largest such number
