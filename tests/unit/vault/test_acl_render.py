"""Every ACL policy the program writes, byte for byte, per shipped stack: a template or renderer change
shows in review as the policy text it produces, and a renderer that drops or alters a grant fails here.

Regenerate deliberately after changing `policies/acl/*.hcl`, `infra/vault/acl.py` or a stack's catalog,
and review the diff of `tests/unit/vault/golden/`:

    .venv/bin/python -m tests.unit.vault.test_acl_render --write
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from infra.config import StackConfig, parse_stack_config
from infra.harness import read_stack_config
from infra.vault import acl
from tests.conftest import STACKS

GOLDEN = Path(__file__).with_name("golden")


def _cfg(stack: str) -> StackConfig:
    return parse_stack_config(read_stack_config(stack))


def rendered(stack: str) -> dict[str, str]:
    """File name -> content: each policy's text, and the token policies of every auth role."""
    cfg = _cfg(stack)
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


@pytest.mark.parametrize("stack", STACKS)
def test_policies_match_the_golden_files(stack: str) -> None:
    want, got = on_disk(stack), rendered(stack)
    assert sorted(got) == sorted(want), "policies added or removed: regenerate (see the module docstring)"
    for name in sorted(want):
        assert got[name] == want[name], f"{stack}/{name} differs: regenerate and review the diff"


def test_policy_names_are_unique() -> None:
    for stack in STACKS:
        names = [p.name for p in acl.all_policies(_cfg(stack))]
        assert len(names) == len(set(names)), stack


def write() -> None:
    for stack in STACKS:
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
