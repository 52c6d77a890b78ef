"""`vaultctl` as a newcomer meets it: stacks resolve like `pulumi -s` (from the project directory of the
cwd or --cwd), a missing stack names the path it tried, help shows real usage, and under the real
engine a config error is one clean message."""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

import pulumi
import pytest
import yaml

from infra import stacks
from infra.cli import main
from infra.config import ConfigError
from infra.harness import REPO_ROOT, run_program


def _project_copy(tmp_path: Path, nodes: int) -> Path:
    """A second checkout of the project whose local stack differs (cluster.nodes)."""
    shutil.copy(REPO_ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    document = yaml.safe_load((REPO_ROOT / "Pulumi.local.yaml").read_text())
    document["config"]["vault-platform:cluster"]["nodes"] = nodes
    (tmp_path / "Pulumi.local.yaml").write_text(yaml.safe_dump(document))
    (tmp_path / "docs" / "deep").mkdir(parents=True)
    return tmp_path


def test_a_stack_name_resolves_in_the_project_of_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _project_copy(tmp_path, nodes=4)
    monkeypatch.chdir(project / "docs" / "deep")  # found by walking up, as Pulumi does
    assert main(["plan", "--stack", "local"]) == 1
    assert "cluster.nodes=4: must be odd" in capsys.readouterr().err
    # The installed package's own stack is untouched and still what library callers get.
    assert stacks.stack_file("local") == REPO_ROOT / "Pulumi.local.yaml"


def test_cwd_option_picks_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "other").mkdir()
    project = _project_copy(tmp_path / "other", nodes=1)
    monkeypatch.chdir(tmp_path)  # no Pulumi.yaml here or above
    assert main(["--cwd", str(project), "plan", "--stack", "local"]) == 1
    assert "cluster.nodes=1: must be odd" in capsys.readouterr().err


def test_outside_any_project_a_name_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["plan", "--stack", "prod"]) == 2
    err = capsys.readouterr().err
    assert f"no Pulumi.yaml in {tmp_path.resolve()} or any parent directory" in err
    assert "--cwd" in err


def test_a_missing_stack_path_names_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["plan", "--stack", "missing.yaml"]) == 2
    err = capsys.readouterr().err
    assert f"stack file {tmp_path.resolve() / 'missing.yaml'} does not exist" in err
    assert "Pulumi.missing.yaml.yaml" not in err


def test_an_unknown_stack_name_lists_the_stacks_there(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO_ROOT)
    assert main(["plan", "--stack", "qa"]) == 2
    assert "(stacks there: local, prod, staging)" in capsys.readouterr().err


def test_local_help_shows_real_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["local", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "SUPPRESS" not in out
    for action in ("up", "status", "down", "status-json"):
        assert action in out


def _entry_point() -> None:
    runpy.run_module("infra.__main__", run_name="__main__")


def test_the_engine_entry_turns_a_config_error_into_one_clean_message() -> None:
    with pytest.raises(pulumi.RunError) as error:
        run_program("staging", {"cluster": {"nodes": 4}}, program=_entry_point)
    assert "cluster.nodes=4: must be odd and >= 3" in str(error.value)
    assert not isinstance(error.value, ConfigError)
    # The harness (and tests) still get ConfigError from the program itself.
    with pytest.raises(ConfigError):
        run_program("staging", {"cluster": {"nodes": 4}})


def test_the_project_name_is_the_same_everywhere() -> None:
    from infra.config import PROJECT

    name = yaml.safe_load((REPO_ROOT / "Pulumi.yaml").read_text())["name"]
    assert name == PROJECT == stacks.PROJECT_NAME
