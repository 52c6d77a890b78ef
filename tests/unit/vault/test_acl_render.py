"""Every ACL policy the program writes, byte for byte, per shipped stack: a template or renderer change
shows in review as the policy text it produces, and a renderer that drops or alters a grant fails here.

The shipped stacks, and variants of them for settings none of them uses. Regenerate deliberately after
changing `policies/acl/*.hcl`, `infra/vault/acl.py` or a stack's catalog,
and review the diff of `tests/unit/vault/golden/`:

    .venv/bin/python -m tests.unit.vault.test_acl_render --write
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from infra.config import StackConfig, parse_stack_config
from infra.harness import read_stack_config
from infra.vault import acl
from tests.conftest import STACKS

GOLDEN = Path(__file__).with_name("golden")
_SA = {"namespace": "x", "service_account": "x"}
# Settings no shipped stack uses, so that every branch of the renderers has a golden text.
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "prod-variant": (
        "prod",
        {
            "database": {"rotate_root": False, "static_roles": []},
            "aws": {"rotate_root": False, "roles": []},
            "human_auth": None,
            # No service with a GitHub identity: the deployer may write no ci-* role at all.
            "services": [
                {
                    "name": "billing",
                    "kubernetes": {**_SA, "namespace": "billing"},
                    "kv": {"own": "write", "read": ["shared/config", "shared/flags"],
                           "shares_from": [{"service": "analytics", "path": "exports/key"},
                                           {"service": "analytics", "path": "exports/salt"}]},
                    "database_role": "readwrite",
                    "transit": [{"key": "billing-pii", "operations": ["decrypt", "encrypt"]}],
                },
                {"name": "analytics", "kubernetes": {**_SA, "namespace": "analytics"}, "kv": {"own": "none"}},
            ],
        },
    ),
    "local-variant": (
        "local",
        {
            "database": None,  # people's policies without database credentials to revoke
            "cluster": {"server": "vault"},
            "services": [{"name": "web", "kubernetes": {**_SA, "namespace": "web"}}],
        },
    ),
}  # fmt: skip
NAMES = (*STACKS, *VARIANTS)


def _cfg(name: str) -> StackConfig:
    stack, overrides = VARIANTS.get(name, (name, {}))
    return parse_stack_config(read_stack_config(stack, overrides))


def rendered(name: str) -> dict[str, str]:
    """File name -> content: each policy's text, and the token policies of every auth role."""
    cfg = _cfg(name)
    files = {f"{p.name}.hcl": p.text for p in acl.all_policies(cfg)}
    roles = {
        "kubernetes": acl.kubernetes_role_policies(cfg),
        "jwt": acl.ci_role_policies(cfg),
        "generated": acl.generated_policy_names(cfg),
        "human": acl.human_policy_names(cfg),
    }
    files["roles.json"] = json.dumps(roles, indent=2, sort_keys=True) + "\n"
    return files


def on_disk(stack: str) -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted((GOLDEN / stack).iterdir())}


@pytest.mark.parametrize("stack", NAMES)
def test_policies_match_the_golden_files(stack: str) -> None:
    want, got = on_disk(stack), rendered(stack)
    assert sorted(got) == sorted(want), "policies added or removed: regenerate (see the module docstring)"
    for name in sorted(want):
        assert got[name] == want[name], f"{stack}/{name} differs: regenerate and review the diff"


def test_policy_names_are_unique() -> None:
    for stack in NAMES:
        names = [p.name for p in acl.all_policies(_cfg(stack))]
        assert len(names) == len(set(names)), stack


def write() -> None:
    for stack in NAMES:
        folder = GOLDEN / stack
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.iterdir():
            stale.unlink()
        for name, text in rendered(stack).items():
            (folder / name).write_text(text)


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m tests.unit.vault.test_acl_render --write")
    write()
