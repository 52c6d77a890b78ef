"""The OpenAI plugin reaches the server: `plugin_directory` in the server HCL, the binary copied there
from the digest-pinned plugin image by an init container, executable by the server's user and by no
one else, with the checksum the catalog entry registers.

The pods are run with the program's own declaration (infra/local/podrun.py: the declared users, volumes
as the kubelet makes them, a read-only root): the init container as declared, then a container with the
server container's identity and plugin mount that does what Vault does with the file (stat, execute).
"""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.cluster import plugins
from infra.cluster.server_config import render
from infra.config import ConfigError, parse_stack_config
from infra.harness import read_stack_config, run_program
from infra.local import podrun
from tests.conftest import of_type

IMAGE = "ghcr.io/acme/vault-plugin-secrets-openai:v0.0.8@sha256:" + "5d" * 32
needs_root = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("setpriv") is None,
    reason="the pod runner needs root, unshare and setpriv (like a kubelet)",
)


def _cfg(stack: str = "prod", **overrides: Any) -> Any:
    return parse_stack_config(read_stack_config(stack, overrides))


# ----------------------------------------------------------------------------------- config and HCL


def test_the_server_hcl_names_the_plugin_directory_only_when_set() -> None:
    prod = _cfg()
    assert prod.cluster.plugin_directory == "/vault/plugins"
    assert 'plugin_directory = "/vault/plugins"' in render(prod).splitlines()
    staging = _cfg("staging")
    assert f'plugin_directory = "{staging.cluster.plugin_directory}"' in render(staging)
    without = _cfg(cluster={"plugin_directory": None}, openai=None, services=[])
    assert "plugin_directory" not in render(without)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"cluster": {"plugin_directory": None}},
            "cluster.plugin_directory: required with the `openai` plugin",
        ),
        (
            {"cluster": {"plugin_directory": "plugins"}},
            "cluster.plugin_directory='plugins': an absolute path",
        ),
        ({"cluster": {"plugin_directory": "/vault/../etc"}}, "an absolute path of its own"),
        ({"cluster": {"plugin_directory": "/vault/tls/p"}}, "not under /vault/config"),
        ({"openai": {"sha256": "0" * 64}}, "openai.sha256=00000000...: a placeholder"),
        ({"openai": {"sha256": "f" * 64}}, "openai.sha256=ffffffff...: a placeholder"),
        ({"openai": {"sha256": hashlib.sha256(b"").hexdigest()}}, "the checksum of an empty file"),
        ({"openai": {"sha256": "ABC" + "0" * 61}}, "openai.sha256: 64 lowercase hex"),
        ({"openai": {"image": "ghcr.io/acme/plugin:v0.0.8"}}, "must be pinned by version and digest"),
        ({"openai": {"image": "ghcr.io/acme/plugin@sha256:" + "5d" * 32}}, "must be pinned by version"),
        ({"openai": {"image": "ghcr.io/acme/plugin:v0.0.8@sha256:" + "0" * 64}}, "a placeholder digest"),
        ({"openai": {"image": IMAGE.replace("v0.0.8", "v0.0.7")}}, "its tag must be openai.version"),
        ({"openai": {"image": IMAGE, "binary_path": "bin/plugin"}}, "openai.binary_path='bin/plugin'"),
    ],
)
def test_plugin_delivery_config_is_refused_with_the_key_named(overrides: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace(".", r"\.").replace("(", r"\(")):
        _cfg(**overrides)


def test_the_operator_supplied_marker_passes_only_the_shape_view() -> None:
    # The shape reader (plan, mocks) turns the marker into a stand-in, so plan shows the plugin ...
    assert _cfg().openai.sha256 != "OPERATOR-SUPPLIED"
    # ... but the program reads the stack file's value as it is (pulumi's config), and refuses it.
    raw = read_stack_config("prod")
    raw["openai"] = {**raw["openai"], "sha256": "OPERATOR-SUPPLIED", "image": "OPERATOR-SUPPLIED"}
    with pytest.raises(ConfigError) as err:
        parse_stack_config(raw)
    assert "openai.sha256: still OPERATOR-SUPPLIED" in str(err.value)
    assert "openai.image: still OPERATOR-SUPPLIED" in str(err.value)


def test_real_looking_plugin_values_pass() -> None:
    binary = hashlib.sha256(b"a plugin binary").hexdigest()
    cfg = _cfg(openai={"sha256": binary, "image": IMAGE})
    assert (cfg.openai.sha256, cfg.openai.image) == (binary, IMAGE)


def test_the_committed_stacks_leave_image_and_checksum_to_the_operator() -> None:
    """No made-up checksum in the stack files: both say OPERATOR-SUPPLIED, which plan shows as an
    unpullable stand-in and lists as unset."""
    from infra.stacks import unset_values

    for stack in ("prod", "staging"):
        assert {"openai.image", "openai.sha256"} <= set(unset_values(stack))
        cfg = _cfg(stack)
        assert cfg.openai.image.startswith("operator-supplied.invalid/")
    assert "openai.image" not in unset_values("local")


# ---------------------------------------------------------------------------- the declared pod spec


def _statefulset_pod(stack: str = "prod", **overrides: Any) -> dict:
    declared = run_program(stack, overrides=overrides or None)
    (statefulset,) = of_type(declared, "kubernetes:apps/v1:StatefulSet")
    return podrun.pod_spec_of(statefulset)


def test_statefulset_copies_the_binary_from_the_pinned_image_and_mounts_it_read_only() -> None:
    cfg = _cfg()
    pod = _statefulset_pod()
    (init,) = pod["initContainers"]
    assert init["image"] == cfg.openai.image and "@sha256:" in init["image"]
    server = next(c for c in pod["containers"] if c["name"] == "vault")
    (mount,) = [m for m in server["volumeMounts"] if m["name"] == plugins.VOLUME]
    assert mount == {
        "name": plugins.VOLUME,
        "mountPath": cfg.cluster.plugin_directory,
        "subPath": plugins.SUBDIR,
        "readOnly": True,
    }
    assert {"name": plugins.VOLUME, "emptyDir": {"sizeLimit": "256Mi"}} in pod["volumes"]
    # Same user as the server: the copy is the server user's own file.
    for key in ("runAsUser", "runAsGroup"):
        assert init["securityContext"][key] == server["securityContext"][key]


def test_local_stack_has_no_plugin_container() -> None:
    cfg = _cfg("local")
    assert not plugins.enabled(cfg) and plugins.init_containers(cfg) == []


# ------------------------------------------------------------------------------------ run as declared


@pytest.fixture
def workdir() -> Iterator[Path]:
    work = Path("/tmp") / f"plugin-delivery-{os.getpid()}"
    work.mkdir(parents=True)
    os.chmod(work, 0o755)  # noqa: S103 (the containers run as other uids)
    yield work
    shutil.rmtree(work, ignore_errors=True)


def _fake_plugin(work: Path) -> Path:
    binary = work / "vault-plugin-secrets-openai"
    binary.write_text('#!/bin/sh\necho "openai plugin ran as $(id -u)"\n')
    os.chmod(binary, 0o755)  # noqa: S103 (as it is in the plugin image)
    return binary


def _vault_side(pod: dict, cfg: Any) -> dict:
    """The server container's identity and plugin mount, running what Vault does with the file."""
    server = next(c for c in pod["containers"] if c["name"] == "vault")
    directory = cfg.cluster.plugin_directory
    binary = f"{directory}/{cfg.openai.command}"
    script = "\n".join(
        [
            "set -eu",
            f'stat -c "mode=%a uid=%u" "{directory}" "{binary}"',
            f'"{binary}"',
            f'sha256sum "{binary}"',
            f'if touch "{directory}/planted" 2>/dev/null; then echo "plugin_directory writable"; exit 1; fi',
        ]
    )
    return {
        **copy.deepcopy(server),
        "command": ["/bin/sh", "-c", script],
        "volumeMounts": [m for m in server["volumeMounts"] if m["name"] == plugins.VOLUME],
    }


def _run(pod_spec: dict, cfg: Any, work: Path, binary: Path) -> podrun.PodResult:
    pod = {
        "securityContext": pod_spec["securityContext"],
        "initContainers": pod_spec["initContainers"],
        "containers": [_vault_side(pod_spec, cfg)],
        "volumes": [v for v in pod_spec["volumes"] if v["name"] == plugins.VOLUME],
    }
    node = podrun.Node(
        workdir=work / "pods",
        bao_binary=binary,
        bucket_root=work,
        image_files={cfg.openai.image: {cfg.openai.binary_path: binary}},
    )
    return podrun.run_pod(pod, node)


@needs_root
def test_the_server_user_runs_the_copied_binary_whose_checksum_the_catalog_registers(workdir: Path) -> None:
    binary = _fake_plugin(workdir)
    checksum = hashlib.sha256(binary.read_bytes()).hexdigest()
    overrides = {"openai": {"sha256": checksum, "image": IMAGE}}
    cfg = _cfg(**overrides)
    declared = run_program("prod", overrides=overrides)
    (statefulset,) = of_type(declared, "kubernetes:apps/v1:StatefulSet")
    (catalog,) = of_type(declared, "vault:index/plugin:Plugin")
    result = _run(podrun.pod_spec_of(statefulset), cfg, workdir, binary)
    assert result.succeeded, result.logs()
    init_log, vault_log = result.containers[0].stdout, result.containers[1].stdout
    assert checksum in init_log  # the init container prints what it copied
    assert "mode=500 uid=100" in vault_log  # directory and binary: the server user's, 0500
    assert "openai plugin ran as 100" in vault_log
    assert f"{checksum}  {cfg.cluster.plugin_directory}/{cfg.openai.command}" in vault_log
    assert catalog.inputs["sha256"] == checksum and catalog.inputs["command"] == cfg.openai.command


@needs_root
def test_a_copy_made_by_another_user_is_not_executable_by_the_server(workdir: Path) -> None:
    """The check fires: an init container running as another uid leaves a 0500 file the server's user
    cannot execute."""
    binary = _fake_plugin(workdir)
    overrides = {"openai": {"sha256": hashlib.sha256(binary.read_bytes()).hexdigest(), "image": IMAGE}}
    cfg = _cfg(**overrides)
    pod = _statefulset_pod(**overrides)
    pod["initContainers"][0]["securityContext"]["runAsUser"] = 4242
    result = _run(pod, cfg, workdir, binary)
    assert not result.succeeded
    assert "Permission denied" in result.containers[1].stderr, result.logs()


@needs_root
def test_a_restarted_pod_replaces_the_previous_copy(workdir: Path) -> None:
    """Init containers run again on a pod restart while an emptyDir may keep the 0500 copy."""
    binary = _fake_plugin(workdir)
    overrides = {"openai": {"sha256": hashlib.sha256(binary.read_bytes()).hexdigest(), "image": IMAGE}}
    cfg = _cfg(**overrides)
    pod = _statefulset_pod(**overrides)
    twice = copy.deepcopy(pod)
    second = copy.deepcopy(pod["initContainers"][0])
    second["name"] = "openai-plugin-again"
    twice["initContainers"] = [pod["initContainers"][0], second]
    result = _run(twice, cfg, workdir, binary)
    assert result.succeeded, result.logs()


@needs_root
def test_the_binary_is_copied_from_the_configured_path(workdir: Path) -> None:
    """Images lay the binary out differently (upstream moved it from /bin to /home/vault): the init
    container copies `openai.binary_path`, and fails when the image has nothing there."""
    binary = _fake_plugin(workdir)
    moved = "/home/vault/vault-plugin-secrets-openai"
    overrides = {
        "openai": {
            "sha256": hashlib.sha256(binary.read_bytes()).hexdigest(),
            "image": IMAGE,
            "binary_path": moved,
        }
    }
    cfg = _cfg(**overrides)
    pod = _statefulset_pod(**overrides)
    assert moved in pod["initContainers"][0]["command"][-1]
    result = _run(pod, cfg, workdir, binary)
    assert result.succeeded, result.logs()
    assert "openai plugin ran as 100" in result.containers[1].stdout
    # The same image with the default path configured: nothing at /bin/..., the copy fails.
    default = _statefulset_pod(
        openai={**overrides["openai"], "binary_path": "/bin/vault-plugin-secrets-openai"}
    )
    failed = _run(default, cfg, workdir, binary)
    assert not failed.succeeded
    assert "/bin/vault-plugin-secrets-openai" in failed.containers[0].stderr, failed.logs()
