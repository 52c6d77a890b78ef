"""`ci_env` tells the workflows whether a stack can be deployed yet (`bootstrapped`, `unset`).

A committed stack file that still holds operator placeholders is refused by a real `pulumi preview`
or `up`; CI must skip it with the keys named, not fail on every push (WF-BOOTSTRAP).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from infra.ops import ci_env
from infra.stacks import PACKAGE_ROOT

DIGEST = hashlib.sha256(b"an image manifest").hexdigest()
CHECKSUM = hashlib.sha256(b"a plugin binary").hexdigest()
FILLED_IMAGE = f"ghcr.io/acme/vault-plugin-secrets-openai:v0.0.8@sha256:{DIGEST}"


def _filled(tmp_path: Path, stack: str) -> Path:
    """The committed stack file with every operator value filled in as the bootstrap would."""
    text = (PACKAGE_ROOT / f"Pulumi.{stack}.yaml").read_text()
    text = text.replace("image: OPERATOR-SUPPLIED", f"image: {FILLED_IMAGE}")
    text = text.replace("sha256: OPERATOR-SUPPLIED", f"sha256: {CHECKSUM}")
    text = text.replace("v1:PLACEHOLDER-set-with-pulumi-config-set-secret", "v1:c29tZS1jaXBoZXJ0ZXh0")
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text(text)
    return path


def test_committed_stacks_with_markers_are_not_bootstrapped_and_name_the_keys():
    for stack in ("staging", "prod"):
        values = ci_env.stack_env(stack)
        assert values["bootstrapped"] == "false"
        unset = values["unset"].split(", ")
        assert {"openai.image", "openai.sha256", "openai.admin_api_key (secret)"} <= set(unset)


def test_a_filled_stack_is_bootstrapped(tmp_path: Path):
    for stack in ("staging", "prod"):
        values = ci_env.stack_env(_filled(tmp_path, stack))
        assert (values["bootstrapped"], values["unset"]) == ("true", "")


def test_one_marker_left_is_enough_to_skip(tmp_path: Path):
    path = _filled(tmp_path, "prod")
    path.write_text(path.read_text().replace(f"sha256: {CHECKSUM}", "sha256: OPERATOR-SUPPLIED"))
    values = ci_env.stack_env(path)
    assert (values["bootstrapped"], values["unset"]) == ("false", "openai.sha256")


def test_main_prints_the_outputs(capsys):
    assert ci_env.main(["prod"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "bootstrapped=false" in lines
    assert any(line.startswith("unset=") and "openai.image" in line for line in lines)
