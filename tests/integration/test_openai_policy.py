"""Effective permissions of the OpenAI plugin's templated `openai-creds` policy, on a real server.

The plugin binary is not available here, so the mount does not exist; `sys/capabilities` answers from
policies alone. The policy is rendered from the *prod* stack (where the plugin is declared), written to
the local cluster under a test name, and attached to two identities whose entities carry the `service`
metadata the Vault layer writes: one for a catalog service with a dynamic role, one for a second
service. Templated policies resolve only for tokens with an entity, so the test logs in through a
throwaway userpass mount (removed afterwards).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any

import hvac
import pytest

from infra.config import parse_stack_config
from infra.harness import read_stack_config, run_program, unwrap
from infra.vault import acl
from tests.integration.conftest import unauthenticated

pytestmark = pytest.mark.integration

MOUNT = "it-openai-userpass"
POLICY = "it-openai-creds"
OTHER = "eval-runner"  # a second service with its own role


@pytest.fixture(scope="module")
def prod() -> Any:
    return parse_stack_config(read_stack_config("prod"))


@pytest.fixture(scope="module")
def logins(env: Any, root: Any, prod: Any) -> Iterator[dict[str, str]]:
    text = next(p.text for p in acl.ai_key_policies(prod) if p.name == acl.OPENAI_CREDS)
    root.sys.create_or_update_acl_policy(POLICY, text)
    root.sys.enable_auth_method("userpass", path=MOUNT)
    accessor = root.sys.list_auth_methods()["data"][f"{MOUNT}/"]["accessor"]
    dynamic = next(s.name for s in prod.services if s.openai)
    entities, tokens = [], {}
    try:
        for service in (dynamic, OTHER):
            password = secrets.token_urlsafe(24)
            root.write_data(
                f"auth/{MOUNT}/users/{service}", data={"password": password, "token_policies": POLICY}
            )
            entity = root.secrets.identity.create_or_update_entity(
                name=f"it-openai-{service}", metadata={"service": service}
            )
            entity_id = entity["data"]["id"]
            entities.append(entity_id)
            root.secrets.identity.create_or_update_entity_alias(
                name=service, canonical_id=entity_id, mount_accessor=accessor
            )
            client = unauthenticated(env)
            client.auth.userpass.login(username=service, password=password, mount_point=MOUNT)
            tokens[service] = client.token
        yield tokens
    finally:
        root.sys.disable_auth_method(MOUNT)
        for entity_id in entities:
            root.secrets.identity.delete_entity(entity_id)
        root.sys.delete_policy(POLICY)


def capabilities(root: Any, token: str, paths: list[str]) -> dict[str, list[str]]:
    answer = root.sys.get_capabilities(paths=paths, token=token)
    return {path: sorted(answer[path]) for path in paths}


def test_each_service_mints_only_from_its_own_role(
    env: Any, root: Any, prod: Any, logins: dict[str, str]
) -> None:
    mount = prod.openai.path
    # The role paths the prod program really declares: the policy must meet exactly these.
    declared = [
        unwrap(r.inputs["path"])
        for r in run_program("prod")
        if r.type == "vault:generic/endpoint:Endpoint" and "/roles/" in str(r.inputs["path"])
    ]
    dynamic = next(s.name for s in prod.services if s.openai)
    assert declared == [f"{mount}/roles/{dynamic}"]
    admin = [
        f"{mount}/config",
        f"{mount}/config/rotate",
        f"{mount}/roles/{dynamic}",
        f"{mount}/roles/{OTHER}",
        f"sys/plugins/catalog/secret/{prod.openai.plugin_name}",
        f"sys/mounts/{mount}",
    ]
    for service, other in ((dynamic, OTHER), (OTHER, dynamic)):
        got = capabilities(
            root, logins[service], [f"{mount}/creds/{service}", f"{mount}/creds/{other}", *admin]
        )
        assert got.pop(f"{mount}/creds/{service}") == ["read"], service
        assert set(map(json.dumps, got.values())) == {json.dumps(["deny"])}, (service, got)


def test_a_token_without_an_entity_gets_nothing(
    env: Any, root: Any, prod: Any, logins: dict[str, str]
) -> None:
    """No entity, no metadata: the template expands to nothing and grants nothing."""
    bare = root.auth.token.create(policies=[POLICY], ttl="5m", no_parent=False)["auth"]["client_token"]
    dynamic = next(s.name for s in prod.services if s.openai)
    assert capabilities(root, bare, [f"{prod.openai.path}/creds/{dynamic}"]) == {
        f"{prod.openai.path}/creds/{dynamic}": ["deny"]
    }
    with pytest.raises(hvac.exceptions.Forbidden):
        hvac.Client(url=root.url, verify=root.session.verify, token=bare).read(
            f"{prod.openai.path}/creds/{dynamic}"
        )
