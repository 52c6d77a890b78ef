"""`vaultctl plan` as operators and CI call it: exit codes, output, no plaintext secrets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from infra.cli import main
from infra.harness import stack_file
from tests.conftest import STACKS


@pytest.mark.parametrize("stack", STACKS)
def test_plan_lists_the_vault_layer_and_exits_0(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--stack", stack]) == 0
    out = capsys.readouterr().out
    for type_token in (
        "vault:index/policy:Policy",
        "vault:kubernetes/authBackendRole:AuthBackendRole",
        "vault:jwt/authBackendRole:AuthBackendRole",
        "vault:database/secretBackendRole:SecretBackendRole",
        "vault:transit/secretBackendKey:SecretBackendKey",
        "vault:index/quotaRateLimit:QuotaRateLimit",
    ):
        assert f"+ {type_token}" in out
    assert "policy findings: 0 violation(s)" in out
    assert "placeholder-for-encrypted-value" not in out  # secure: values never shown, even as placeholders
    assert "[secret]" in out


def _bad_stack(tmp_path: Path, stack: str, edit: dict) -> Path:
    document = yaml.safe_load(stack_file(stack).read_text())
    for key, value in edit.items():
        document["config"][f"vault-platform:{key}"] = value
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_plan_of_a_bad_stack_file_exits_1_naming_the_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster = yaml.safe_load(stack_file("prod").read_text())["config"]["vault-platform:cluster"]
    path = _bad_stack(tmp_path, "prod", {"cluster": {**cluster, "nodes": 4}})
    assert main(["plan", "--stack", str(path)]) == 1
    captured = capsys.readouterr()
    assert "cluster.nodes=4: must be odd and >= 3 (prod: 5)" in captured.err
    assert "+ vault:" not in captured.out


def test_plan_exits_1_on_an_unexempted_policy_violation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Valid config, over-broad grant: raising the token cap lets a service mint week-long tokens.
    document = yaml.safe_load(stack_file("local").read_text())["config"]
    vault_cfg = {**document["vault-platform:vault"], "max_token_ttl": "720h"}
    services = document["vault-platform:services"]
    services[0] = {**services[0], "token_max_ttl": "168h"}
    path = _bad_stack(tmp_path, "local", {"vault": vault_cfg, "services": services})
    assert main(["plan", "--stack", str(path)]) == 1
    out = capsys.readouterr().out
    assert "policy findings: 1 violation(s)" in out
    assert "auth-kubernetes-role-ai-gateway: VP-" in out


def test_unknown_stack_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--stack", "qa"]) == 2
    assert "no stack file Pulumi.qa.yaml" in capsys.readouterr().err


def test_vaultctl_console_script_runs() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).with_name("vaultctl")), "plan", "--stack", "local"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "resources in stack local" in result.stdout


def test_listing_is_sorted_by_urn_and_shows_options_and_dependencies(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    assert main(["plan", "--stack", "prod", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    urns = [r["urn"] for r in doc["resources"]]
    assert urns == sorted(urns)
    assert main(["plan", "--stack", "prod"]) == 0
    out = capsys.readouterr().out
    heads = [line.split()[2] for line in out.splitlines() if line.startswith("+ ")]
    assert heads == [r["name"] for r in doc["resources"]]  # the text lists in the same (URN) order
    # What a reviewer must see besides inputs: the unseal key is protected, and what it waits for.
    key = out.split("+ gcp:kms/cryptoKey:CryptoKey  unseal-key\n")[1].split("\n+ ")[0]
    assert "    options: protect" in key
    assert "    depends on: " in key and "unseal-key-ring" in key


@pytest.mark.parametrize("fmt", ["markdown", "json"])
def test_listing_formats(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--stack", "local", "--format", fmt]) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        import json

        doc = json.loads(out)
        assert {i["identity"] for i in doc["identities"]} >= {"jwt/deployer", "kubernetes/billing"}
    else:
        assert out.startswith("### `vaultctl plan` for stack `local`")
        assert "```mermaid\ngraph LR\n" in out


def test_unknown_format_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["plan", "--stack", "local", "--format", "html"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'html'" in capsys.readouterr().err


def test_listing_has_no_escaped_line_breaks(capsys: pytest.CaptureFixture[str]) -> None:
    # Control characters are escaped on output (so a name cannot forge a line): our own layout must
    # therefore never put a line break inside one printed line.
    assert main(["plan", "--stack", "local"]) == 0
    out = capsys.readouterr().out
    assert "\\n" not in out
    assert "\n\neffective permissions (" in out and "\n\npolicy findings:" in out


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_plan_names_the_unset_operator_values(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The prod PR comment says the stack cannot be deployed yet, and which keys the operator owes."""
    assert main(["plan", "--stack", "prod", "--format", fmt]) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        import json

        unset = json.loads(out)["unset"]
        assert {"openai.image", "openai.sha256", "openai.admin_api_key (secret)"} <= set(unset)
    elif fmt == "markdown":
        head = out.split("#### Effective permissions")[0]
        assert "**Not deployable yet:**" in head
        assert "`openai.image`" in head and "`openai.sha256`" in head
    else:
        head = out.split("\n+ ")[0]
        assert "not deployable yet" in head
        assert "  unset: openai.image\n" in head and "  unset: openai.sha256\n" in head


def test_plan_of_a_filled_stack_has_no_unset_banner(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.unit.ops.test_ci_env import _filled

    assert main(["plan", "--stack", str(_filled(tmp_path, "prod")), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "Not deployable yet" not in out
    assert main(["plan", "--stack", str(_filled(tmp_path, "prod")), "--format", "json"]) == 0
    assert '"unset": []' in capsys.readouterr().out
