"""Bootstrap adoption: what `vaultctl init` creates is adopted by the program with the `import_` option,
as the same resource (URN, parent, provider) the program declares without the flag, so the first `up`
after init imports it instead of creating it again ("path is already in use")."""

from __future__ import annotations

import pytest

from infra.config import parse_stack_config
from infra.harness import DeclaredResource, read_stack_config, run_program
from infra.ops import cli_init
from tests.conftest import STACKS

ADOPT = {"vault": {"adopt_bootstrap": True}}


def _by_urn(resources: list[DeclaredResource]) -> dict[str, DeclaredResource]:
    return {r.urn: r for r in resources}


@pytest.mark.parametrize("stack", STACKS)
def test_adopted_resources_are_the_programs_own(declared, stack: str) -> None:
    plain = _by_urn(declared(stack))
    adopted = _by_urn(run_program(stack, ADOPT))
    assert set(adopted) == set(plain)  # the flag adds no resource and renames none
    imported = {urn: r for urn, r in adopted.items() if r.import_id}
    assert imported
    for urn, resource in imported.items():
        program = plain[urn]
        assert program.import_id == ""  # without the flag: a normal declaration
        assert (resource.urn, resource.parent, resource.provider_urn) == (
            program.urn,
            program.parent,
            program.provider_urn,
        )
        assert "vault-platform:vault:Configuration" in resource.parent
        assert resource.provider_urn.endswith("pulumi:providers:vault::vault")
        assert resource.protect and program.protect  # deleting one would lock CI out
    # Nothing else is imported: CI creates the rest itself.
    assert {r.type for r in imported.values()} <= {
        "vault:jwt/authBackend:AuthBackend",
        "vault:jwt/authBackendRole:AuthBackendRole",
        "vault:index/policy:Policy",
        "vault:index/audit:Audit",
    }


@pytest.mark.parametrize("stack", STACKS)
def test_every_object_init_writes_is_adopted_by_its_provider_id(stack: str) -> None:
    cfg = parse_stack_config(read_stack_config(stack))
    plan = cli_init.bootstrap_writes(cfg, ["PEM"] if stack == "local" else None)
    ids = {(r.type, r.import_id) for r in run_program(stack, ADOPT) if r.import_id}
    expected = {("vault:jwt/authBackend:AuthBackend", plan.jwt_path)}
    expected |= {("vault:index/policy:Policy", name) for name in plan.policies}
    expected |= {("vault:jwt/authBackendRole:AuthBackendRole", path) for path in plan.roles}
    expected |= {("vault:index/audit:Audit", name) for name in plan.audit}
    assert ids == expected
