"""Effective permissions of every service policy, read back through `sys/capabilities` with tokens
obtained by really logging in (templated policies only resolve for tokens with an entity)."""

from __future__ import annotations

from typing import Any

import pytest

from infra.config import Service, StackConfig
from tests.integration.conftest import service_login

DENY = ["deny"]
# Paths no service may touch: configuration, keys, audit, identity and token minting.
FORBIDDEN = [
    "sys/policies/acl/svc-billing",
    "sys/mounts/kv",
    "sys/auth/kubernetes",
    "sys/audit/file",
    "sys/raw/core",
    "sys/storage/raft/snapshot",
    "sys/seal",
    "sys/quotas/rate-limit/global",
    "identity/entity/name/svc-billing",
    "auth/token/create",
    "auth/kubernetes/role/billing",
    "transit/keys/billing-pii",
    "database/config/app",
    "database/rotate-root/app",
]


def expected(service: Service, cfg: StackConfig) -> dict[str, list[str]]:
    """What the catalog entry asks for, path by path (the specification the policies must meet)."""
    kv = cfg.kv.path
    own: dict[str, list[str]] = {}
    data, meta = f"{kv}/data/apps/{service.name}/config", f"{kv}/metadata/apps/{service.name}/config"
    if service.kv.own == "read":
        own[data], own[meta] = ["read"], ["list", "read"]
    elif service.kv.own == "write":
        own[data], own[meta] = ["create", "read", "update"], ["list", "read"]
    for provider in service.kv.ai_providers:
        own[f"{kv}/data/ai/providers/{provider}/{service.name}"] = ["read"]
    for path in service.kv.read:
        own[f"{kv}/data/{path}"] = ["read"]
    if service.database_role and cfg.database:
        own[f"{cfg.database.path}/creds/{service.database_role}"] = ["read"]
    for grant in service.transit:
        for op in grant.operations:
            own[f"{cfg.transit.path}/{op}/{grant.key}"] = ["update"]
    return own


def all_paths(service: Service, cfg: StackConfig) -> set[str]:
    """Every path the catalog could grant this service: also what is probed as denied for others."""
    paths = set(expected(service, cfg))
    kv = cfg.kv.path
    paths |= {f"{kv}/data/apps/{service.name}/config", f"{kv}/metadata/apps/{service.name}/config"}
    paths |= {f"{kv}/data/ai/providers/{p}/{service.name}" for p in cfg.kv.ai_providers}
    return paths


def capabilities(root: Any, token: str, paths: list[str]) -> dict[str, list[str]]:
    answer = root.sys.get_capabilities(paths=paths, token=token)
    data = answer.get("data", answer)
    return {path: sorted(data[path]) for path in paths}


@pytest.fixture(scope="module")
def logins(env: Any, sa_key: Any, github_key: Any) -> dict[str, str]:
    return {s.name: service_login(env, sa_key, github_key, s.name).token for s in env.cfg.services}


def test_every_service_has_exactly_its_catalog_grants(env: Any, root: Any, logins: dict[str, str]) -> None:
    for service in env.cfg.services:
        want = expected(service, env.cfg)
        if not want:
            continue
        assert capabilities(root, logins[service.name], list(want)) == want, service.name


def test_other_services_paths_and_sys_are_denied(env: Any, root: Any, logins: dict[str, str]) -> None:
    cfg = env.cfg
    for service in cfg.services:
        mine = set(expected(service, cfg))
        others = set().union(*(all_paths(o, cfg) for o in cfg.services if o.name != service.name))
        probe = sorted((others - mine) | set(FORBIDDEN))
        got = capabilities(root, logins[service.name], probe)
        granted = {path: caps for path, caps in got.items() if caps != DENY}
        assert granted == {}, f"{service.name} reaches paths outside its catalog entry: {granted}"


def test_own_kv_subtree_is_resolved_from_entity_metadata(env: Any, root: Any, logins: dict[str, str]) -> None:
    """The templated path expands to the service's own name: a real read/write goes through."""
    writer = next(s for s in env.cfg.services if s.kv.own == "write")
    import hvac

    c = hvac.Client(url=env.leader().api_addr, verify=str(env.ca_cert), token=logins[writer.name])
    c.secrets.kv.v2.create_or_update_secret(
        f"apps/{writer.name}/config", secret={"k": "v"}, cas=0, mount_point=env.cfg.kv.path
    )
    read = c.secrets.kv.v2.read_secret_version(
        f"apps/{writer.name}/config", mount_point=env.cfg.kv.path, raise_on_deleted_version=True
    )
    assert read["data"]["data"] == {"k": "v"}
