"""Transit round trip (with per-operation grants) and KV v2 versioning with check-and-set."""

from __future__ import annotations

import base64
from typing import Any

import hvac
import pytest

from tests.integration.conftest import service_login


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_transit_round_trip(env: Any, sa_key: Any, github_key: Any) -> None:
    service = next(
        s for s in env.cfg.services if any({"encrypt", "decrypt"} <= set(g.operations) for g in s.transit)
    )
    key = next(g.key for g in service.transit if {"encrypt", "decrypt"} <= set(g.operations))
    c = service_login(env, sa_key, github_key, service.name)
    mount = env.cfg.transit.path
    sealed = c.secrets.transit.encrypt_data(key, _b64("4111 1111 1111 1111"), mount_point=mount)
    ciphertext = sealed["data"]["ciphertext"]
    assert ciphertext.startswith("vault:v1:") or ciphertext.startswith("bao:v1:")
    opened = c.secrets.transit.decrypt_data(key, ciphertext, mount_point=mount)
    assert base64.b64decode(opened["data"]["plaintext"]).decode() == "4111 1111 1111 1111"


def test_transit_encrypt_only_grant_cannot_decrypt(env: Any, sa_key: Any, github_key: Any) -> None:
    service = next(s for s in env.cfg.services for g in s.transit if g.operations == ["encrypt"])
    key = next(g.key for g in service.transit if g.operations == ["encrypt"])
    c = service_login(env, sa_key, github_key, service.name)
    mount = env.cfg.transit.path
    ciphertext = c.secrets.transit.encrypt_data(key, _b64("event"), mount_point=mount)["data"]["ciphertext"]
    with pytest.raises(hvac.exceptions.Forbidden):
        c.secrets.transit.decrypt_data(key, ciphertext, mount_point=mount)


def test_kv_versions_and_check_and_set(env: Any, root: Any) -> None:
    kv = root.secrets.kv.v2
    mount, path = env.cfg.kv.path, "apps/integration/versioned"
    kv.create_or_update_secret(path, secret={"v": 1}, cas=0, mount_point=mount)
    # cas_required on the mount: a blind write (no cas) is refused.
    with pytest.raises(hvac.exceptions.InvalidRequest):
        kv.create_or_update_secret(path, secret={"v": "blind"}, mount_point=mount)
    kv.create_or_update_secret(path, secret={"v": 2}, cas=1, mount_point=mount)
    with pytest.raises(hvac.exceptions.InvalidRequest):  # stale version: someone else wrote first
        kv.create_or_update_secret(path, secret={"v": "stale"}, cas=1, mount_point=mount)
    latest = kv.read_secret_version(path, mount_point=mount, raise_on_deleted_version=True)
    first = kv.read_secret_version(path, version=1, mount_point=mount, raise_on_deleted_version=True)
    assert latest["data"]["data"] == {"v": 2} and latest["data"]["metadata"]["version"] == 2
    assert first["data"]["data"] == {"v": 1}
    meta = kv.read_secret_metadata(path, mount_point=mount)["data"]
    assert meta["max_versions"] in (0, env.cfg.kv.max_versions)
    config = root.adapter.get(f"/v1/{mount}/config")["data"]
    assert config["max_versions"] == env.cfg.kv.max_versions and config["cas_required"] is True


def test_applying_twice_is_safe(env: Any) -> None:
    from infra.local.environment import apply_vault_layer

    assert apply_vault_layer(env) == env.applied
