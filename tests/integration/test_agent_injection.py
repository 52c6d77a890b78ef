"""A real `bao agent` with exactly the configuration the injector builds from a service's annotations.

The agent logs in with the service's projected service-account token through Kubernetes auth (checked by
the TokenReview stand-in), renders the same templates into a pod-shaped folder, and: writes the files
with the right content and mode; renews its database lease before the TTL ends and fetches new
credentials after a revoke; picks up a KV change; and a pod of another service gets nothing.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import hvac
import psycopg
import pytest

from infra.cluster.injector.annotations import PREFIX, pod_annotations
from infra.config import StackConfig, parse_stack_config
from infra.harness import read_stack_config
from infra.local import agent
from infra.local.environment import Environment

RENDER_INTERVAL = 2  # seconds; production keeps the config's default (5m)
DB_TTL, DB_MAX_TTL = 8, 60  # the role's lease shortened so renewal happens within the test


@pytest.fixture(scope="module")
def cfg() -> StackConfig:
    # The local stack as shipped, with a short static-secret re-render interval for the KV test.
    return parse_stack_config(
        read_stack_config("local", {"injector": {"static_secret_render_interval": f"{RENDER_INTERVAL}s"}})
    )


def _service(cfg: StackConfig, name: str) -> Any:
    return next(s for s in cfg.services if s.name == name)


def _wait(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _kv_put(root: hvac.Client, path: str, data: dict[str, str]) -> None:
    # The mount requires check-and-set: pass the current version (0 for a new secret).
    try:
        meta = root.secrets.kv.v2.read_secret_metadata(path, mount_point="kv")
        version = meta["data"]["current_version"]
    except hvac.exceptions.InvalidPath:
        version = 0
    root.secrets.kv.v2.create_or_update_secret(path, secret=data, cas=version, mount_point="kv")


def _start(
    env: Environment, cfg: StackConfig, name: str, tmp: Path, *, init: bool, **kw: Any
) -> tuple[agent.LocalPod, subprocess.Popen[bytes], Path]:
    pod = agent.prepare(cfg, _service(cfg, name), env.state, env.leader().api_addr, tmp, init=init, **kw)
    log = tmp / ("init.log" if init else "agent.log")
    return pod, agent.start(pod, log), log


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_init_only_service_renders_its_files_and_exits(
    env: Environment, cfg: StackConfig, root: hvac.Client, tmp_path: Path
) -> None:
    gateway = _service(cfg, "ai-gateway")
    assert pod_annotations(gateway, cfg)[PREFIX + "agent-pre-populate-only"] == "true"
    _kv_put(root, "apps/ai-gateway/settings", {"model": "gpt-x"})
    for provider in gateway.kv.ai_providers:
        _kv_put(root, f"ai/providers/{provider}/ai-gateway", {"api_key": f"key-{provider}"})
    pod, proc, log = _start(env, cfg, "ai-gateway", tmp_path, init=True)
    try:
        assert proc.wait(timeout=60) == 0, log.read_text()[-2000:]
    finally:
        _stop(proc)
    files = {p.name: p for p in pod.secrets.iterdir()}
    assert set(files) == {"kv.json", *(f"ai-{p}.json" for p in gateway.kv.ai_providers)}
    assert json.loads(files["kv.json"].read_text())["settings"] == {"model": "gpt-x"}
    for provider in gateway.kv.ai_providers:
        assert json.loads(files[f"ai-{provider}.json"].read_text()) == {"api_key": f"key-{provider}"}
    assert {oct(p.stat().st_mode & 0o777) for p in files.values()} == {oct(int(cfg.injector.file_mode, 8))}
    # No transit grant: no token file for the app, and the agent's own sink is outside the app's volume.
    assert "token" not in files


@pytest.fixture(scope="module")
def short_db_leases(root: hvac.Client, cfg: StackConfig) -> Iterator[str]:
    assert cfg.database is not None
    role = _service(cfg, "billing").database_role
    path = f"{cfg.database.path}/roles/{role}"
    before = root.read(path)["data"]
    root.write(path, default_ttl=DB_TTL, max_ttl=DB_MAX_TTL)
    try:
        yield role
    finally:
        root.write(path, default_ttl=before["default_ttl"], max_ttl=before["max_ttl"])


@pytest.fixture(scope="module")
def billing_pod(
    env: Environment, cfg: StackConfig, root: hvac.Client, short_db_leases: str, tmp_path_factory: Any
) -> Iterator[tuple[agent.LocalPod, Path]]:
    billing = _service(cfg, "billing")
    assert pod_annotations(billing, cfg)[PREFIX + "agent-pre-populate-only"] == "false"
    _kv_put(root, "apps/billing/agent-test", {"stripe_key": "sk_test_1"})
    folder = tmp_path_factory.mktemp("billing-pod")
    # The init container first (renders, exits), then the sidecar, as the injected pod runs them.
    pod, init_proc, log = _start(env, cfg, "billing", folder, init=True)
    try:
        assert init_proc.wait(timeout=60) == 0, log.read_text()[-2000:]
    finally:
        _stop(init_proc)
    pod, proc, log = _start(env, cfg, "billing", folder, init=False)
    try:
        # The sidecar takes its own lease and renders over the init container's credentials (the app
        # re-reads database.json when it changes); wait for that before looking.
        _wait(lambda: "database.json" in log.read_text(), 30, "the sidecar's first render")
        yield pod, log
    finally:
        _stop(proc)


def _db_leases(root: hvac.Client, prefix: str) -> set[str]:
    try:
        keys = root.adapter.list(f"/v1/sys/leases/lookup/{prefix}")["data"]["keys"]
    except hvac.exceptions.InvalidPath:
        return set()
    return {f"{prefix}{k}" for k in keys}


def _can_log_in(pg: Any, creds: dict[str, str]) -> bool:
    try:
        with psycopg.connect(pg.dsn(creds["username"], creds["password"]), autocommit=True) as conn:
            return conn.execute("SELECT 1").fetchone() == (1,)
    except psycopg.OperationalError:
        return False


def test_sidecar_files_have_the_grants_content_and_mode(
    billing_pod: tuple[agent.LocalPod, Path], cfg: StackConfig, pg: Any
) -> None:
    pod, _ = billing_pod
    files = {p.name: p for p in pod.secrets.iterdir()}
    assert {"kv.json", "database.json", "token"} <= set(files)
    assert json.loads(files["kv.json"].read_text())["agent-test"] == {"stripe_key": "sk_test_1"}
    creds = json.loads(files["database.json"].read_text())
    assert set(creds) == {"username", "password"}
    assert _can_log_in(pg, creds)
    for name in ("kv.json", "database.json"):
        assert files[name].stat().st_mode & 0o777 == int(cfg.injector.file_mode, 8)


def test_transit_token_file_works_for_the_grant_only(
    billing_pod: tuple[agent.LocalPod, Path], env: Environment, cfg: StackConfig
) -> None:
    pod, _ = billing_pod
    client = hvac.Client(
        url=env.leader().api_addr, verify=str(env.ca_cert), token=(pod.secrets / "token").read_text()
    )
    granted = _service(cfg, "billing").transit[0].key
    client.secrets.transit.encrypt_data(granted, "aGVsbG8=", mount_point=cfg.transit.path)
    other = next(k.name for k in cfg.transit.keys if k.name != granted)
    with pytest.raises(hvac.exceptions.Forbidden):
        client.secrets.transit.encrypt_data(other, "aGVsbG8=", mount_point=cfg.transit.path)


def test_database_lease_renewed_before_ttl_then_replaced_after_revoke(
    billing_pod: tuple[agent.LocalPod, Path],
    root: hvac.Client,
    cfg: StackConfig,
    pg: Any,
    short_db_leases: str,
) -> None:
    pod, log = billing_pod
    assert cfg.database is not None
    prefix = f"{cfg.database.path}/creds/{short_db_leases}/"
    first = _read_json(pod.secrets / "database.json")
    assert first
    # The lease the sidecar holds: the newest one of the role (the init container's came first).
    leases = {
        lease: root.write("sys/leases/lookup", lease_id=lease)["data"] for lease in _db_leases(root, prefix)
    }
    lease, info = max(leases.items(), key=lambda item: item[1]["issue_time"])
    issued_expiry = info["expire_time"]
    # Past the first TTL, the same credentials still work: the agent renewed the lease in time.
    time.sleep(DB_TTL * 1.5)
    assert _read_json(pod.secrets / "database.json") == first
    assert _can_log_in(pg, first), log.read_text()[-3000:]
    renewed = root.write("sys/leases/lookup", lease_id=lease)["data"]
    assert renewed["expire_time"] > issued_expiry and renewed.get("last_renewal")
    # Revoked out from under it: the user is dropped, the agent fetches and renders new credentials.
    root.write("sys/leases/revoke", lease_id=lease)
    replaced = _wait(
        lambda: (c := _read_json(pod.secrets / "database.json")) and c["username"] != first["username"] and c,
        DB_TTL * 4,
        "database.json with new credentials after the revoke",
    )
    assert not _can_log_in(pg, first)
    assert _can_log_in(pg, replaced)


def test_kv_change_is_picked_up(billing_pod: tuple[agent.LocalPod, Path], root: hvac.Client) -> None:
    pod, _ = billing_pod
    _kv_put(root, "apps/billing/agent-test", {"stripe_key": "sk_test_2"})
    _wait(
        lambda: (_read_json(pod.secrets / "kv.json") or {}).get("agent-test") == {"stripe_key": "sk_test_2"},
        RENDER_INTERVAL * 6,
        "kv.json with the new version (static_secret_render_interval)",
    )


@pytest.mark.parametrize(
    "case",
    [
        pytest.param("own-role", id="other-service-with-its-own-role"),
        pytest.param("stolen-role", id="other-service-claiming-billings-role"),
    ],
)
def test_pod_of_another_service_gets_nothing(
    env: Environment, cfg: StackConfig, root: hvac.Client, tmp_path: Path, case: str
) -> None:
    _kv_put(root, "apps/billing/agent-test", {"stripe_key": "sk_test_3"})
    billing, analytics = _service(cfg, "billing"), _service(cfg, "analytics")
    annotations = pod_annotations(billing, cfg)
    if case == "own-role":
        # analytics' pod copies billing's secret annotations but can only log in as itself.
        annotations[PREFIX + "role"] = analytics.name
    pod, proc, log = _start(
        env, cfg, "billing", tmp_path, init=False, login_as=analytics, annotations=annotations
    )
    try:
        expected = (
            r"permission denied" if case == "own-role" else r"error authenticating|permission denied|403"
        )
        _wait(lambda: re.search(expected, log.read_text()), 30, f"the agent to log {expected!r}")
        assert sorted(p.name for p in pod.secrets.glob("*.json")) == []
        token = pod.secrets / "token"
        if token.exists():
            # Its own login (analytics' policies), written because the copied annotations ask for it.
            client = hvac.Client(url=env.leader().api_addr, verify=str(env.ca_cert), token=token.read_text())
            assert "svc-billing" not in client.auth.token.lookup_self()["data"]["policies"]
    finally:
        _stop(proc)
