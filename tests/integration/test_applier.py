"""The applier's explicit type map (no server needed): it covers every `vault:*` type the local stack
declares, and an unknown type stops the apply with an error naming it."""

from __future__ import annotations

import pytest

from infra.harness import DeclaredResource, run_program
from infra.local.apply import HANDLERS, Applier, ApplyError


def test_every_type_the_local_stack_declares_has_a_handler() -> None:
    declared = {r.type for r in run_program("local") if r.custom and r.type.startswith("vault:")}
    assert declared - set(HANDLERS) == set()


def test_unknown_type_is_an_error_naming_it() -> None:
    resource = DeclaredResource("vault:aws/secretBackend:SecretBackend", "aws", {}, True, "", "")
    with pytest.raises(ApplyError, match=r"vault:aws/secretBackend:SecretBackend \(aws\)"):
        Applier(client=None)(resource)  # type: ignore[arg-type]
