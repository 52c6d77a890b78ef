"""The deployer cannot make itself (or anyone) root, on a real server (issue 12): every escalation below
was open to the previous deployer policy; each is now refused by the ACL (403, before the server even
looks at the request), while the same token still applies the whole layer."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from infra.config import StackConfig, parse_stack_config
from infra.harness import read_stack_config
from infra.local import environment
from infra.local.environment import Environment
from infra.vault import acl


@pytest.fixture(scope="module")
def deployer(env: Environment) -> str:
    return env.deployer_token()


def _call(env: Environment, token: str, method: str, path: str, body: dict[str, Any] | None = None) -> int:
    response = requests.request(
        method,
        f"{env.leader().api_addr}/v1/{path}",
        headers={"X-Vault-Token": token},
        json=body,
        verify=str(env.ca_cert),
        timeout=10,
    )
    return response.status_code


EVIL_PEM = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----"
ROOT_LIKE = 'path "*" { capabilities = ["create", "read", "update", "delete", "list", "sudo"] }'


Attempt = tuple[str, str, dict[str, Any] | None]


def _attempts(cfg: StackConfig) -> dict[str, Attempt]:
    """Each escalation as (method, path, body), from the running stack's config."""
    kv, transit, k8s, jwt = cfg.kv.path, cfg.transit.path, cfg.kubernetes_auth.path, cfg.github_oidc.path
    key = cfg.transit.keys[0].name
    db = cfg.database
    assert db is not None
    evil_url = (
        f"postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.2:{db.port}/{db.database}?sslmode=disable"
    )
    role = {"bound_service_account_names": ["x"], "bound_service_account_namespaces": ["x"]}
    connection = {
        "plugin_name": "postgresql-database-plugin",
        "connection_url": evil_url,
        "username": db.username,
    }
    return {
        "rewrite-default": ("PUT", "sys/policies/acl/default", {"policy": ROOT_LIKE}),
        "rewrite-own-policy": ("PUT", "sys/policies/acl/deployer", {"policy": ROOT_LIKE}),
        "rewrite-previewer-policy": ("PUT", "sys/policies/acl/previewer", {"policy": ROOT_LIKE}),
        "new-non-generated-policy": ("PUT", "sys/policies/acl/ops-admin", {"policy": ROOT_LIKE}),
        "entity-with-policies": (
            "POST",
            "identity/entity",
            {"name": "svc-billing", "policies": ["deployer"]},
        ),
        "non-service-entity": (
            "POST",
            "identity/entity",
            {"name": "ops-admin", "metadata": {"service": "billing"}},
        ),
        "entity-by-id-on-create": ("POST", "identity/entity", {"id": "00000000-0000-0000-0000-000000000000"}),
        "group-with-policies": ("POST", "identity/group", {"name": "admins", "policies": ["root"]}),
        "repoint-jwt-issuer": (
            "POST",
            f"auth/{jwt}/config",
            {"bound_issuer": "https://evil", "jwt_validation_pubkeys": [EVIL_PEM]},
        ),
        "rewrite-own-role": (
            "POST",
            f"auth/{jwt}/role/deployer",
            {"bound_claims": {"repository": ["evil/x"]}},
        ),
        "new-non-ci-jwt-role": (
            "POST",
            f"auth/{jwt}/role/admin",
            {"token_policies": ["deployer"], "role_type": "jwt"},
        ),
        "ci-role-with-deployer": (
            "POST",
            f"auth/{jwt}/role/ci-evil",
            {"token_policies": ["deployer"], "role_type": "jwt"},
        ),
        "repoint-kubernetes-host": (
            "POST",
            f"auth/{k8s}/config",
            {"kubernetes_host": "https://127.0.0.2:6443"},
        ),
        "kubernetes-pem-keys": (
            "POST",
            f"auth/{k8s}/config",
            {"kubernetes_host": cfg.kubernetes_auth.host, "pem_keys": [EVIL_PEM]},
        ),
        "k8s-role-with-deployer": ("POST", f"auth/{k8s}/role/evil", {**role, "token_policies": ["deployer"]}),
        "k8s-role-with-root": ("POST", f"auth/{k8s}/role/evil", {**role, "token_policies": ["root"]}),
        "k8s-role-comma-string": (
            "POST",
            f"auth/{k8s}/role/evil",
            {**role, "token_policies": "svc-billing,deployer"},
        ),
        "k8s-role-legacy-policies-field": (
            "POST",
            f"auth/{k8s}/role/evil",
            {**role, "policies": ["deployer"]},
        ),
        "socket-audit-device": (
            "PUT",
            "sys/audit/exfil",
            {"type": "socket", "options": {"address": "127.0.0.1:9"}},
        ),
        "file-audit-device": (
            "PUT",
            "sys/audit/file2",
            {"type": "file", "options": {"file_path": "/tmp/a.log"}},
        ),
        "tune-audit-non-hmac-request": (
            "POST",
            f"sys/mounts/{kv}/tune",
            {"audit_non_hmac_request_keys": ["data"]},
        ),
        "tune-audit-non-hmac-response": (
            "POST",
            f"sys/mounts/{kv}/tune",
            {"audit_non_hmac_response_keys": ["data"]},
        ),
        "tune-auth-audit-non-hmac": (
            "POST",
            f"sys/mounts/auth/{k8s}/tune",
            {"audit_non_hmac_response_keys": ["client_token"]},
        ),
        "tune-auth-legacy-path": (
            "POST",
            f"sys/auth/{k8s}/tune",
            {"audit_non_hmac_response_keys": ["client_token"]},
        ),
        "tune-jwt-mount": ("POST", f"sys/mounts/auth/{jwt}/tune", {"default_lease_ttl": "1h"}),
        "repoint-database-host": ("POST", f"{db.path}/config/{db.connection}", connection),
        "new-database-connection": (
            "POST",
            f"{db.path}/config/evil",
            {**connection, "verify_connection": False},
        ),
        "transit-trim": ("POST", f"{transit}/keys/{key}/trim", {"min_available_version": 1}),
        "transit-make-exportable": ("POST", f"{transit}/keys/{key}/config", {"exportable": True}),
        "transit-allow-deletion": ("POST", f"{transit}/keys/{key}/config", {"deletion_allowed": True}),
        "transit-rotate": ("POST", f"{transit}/keys/{key}/rotate", {}),
        "transit-export": ("GET", f"{transit}/export/encryption-key/{key}", None),
        "token-create": ("POST", "auth/token/create", {"policies": ["deployer"]}),
        "token-create-orphan": ("POST", "auth/token/create-orphan", {}),
        "sys-raw": ("GET", "sys/raw/core/keyring", None),
        "seal": ("POST", "sys/seal", {}),
        "rotate-keyring": ("POST", "sys/rotate", {}),
        "enable-userpass": ("POST", "sys/auth/userpass", {"type": "userpass"}),
        "new-mount": ("POST", "sys/mounts/evil", {"type": "kv"}),
        "unmount-kv": ("DELETE", f"sys/mounts/{kv}", None),
        "disable-jwt": ("DELETE", f"sys/auth/{jwt}", None),
        "read-a-secret": ("GET", f"{kv}/data/apps/billing/config", None),
        "database-creds": ("GET", f"{db.path}/creds/readwrite", None),
        "raft-snapshot": ("GET", "sys/storage/raft/snapshot", None),
        **_people_attempts(cfg),
    }


def _people_attempts(cfg: StackConfig) -> dict[str, Attempt]:
    """People's login (human_auth): the deployer writes it, but cannot make it a way in for itself."""
    if cfg.human_auth is None:
        return {}
    oidc = cfg.human_auth.oidc
    group = {"type": "external", "name": "human-operators", "metadata": {}}
    return {
        "human-group-with-deployer": ("POST", "identity/group", {**group, "policies": ["deployer"]}),
        "human-group-smuggling-root": (
            "POST",
            "identity/group",
            {**group, "policies": ["human-operator", "root"]},
        ),
        "internal-group-with-members": (
            "POST",
            "identity/group",
            {**group, "type": "internal", "policies": ["human-operator"], "member_entity_ids": ["x"]},
        ),
        "repoint-people-idp": (
            "POST",
            f"auth/{oidc.path}/config",
            {
                "oidc_discovery_url": "https://127.0.0.2/evil",
                "oidc_client_id": "evil",
                "oidc_client_secret": "x",
            },
        ),
        "person-role-with-deployer": (
            "POST",
            f"auth/{oidc.path}/role/person",
            {"role_type": "oidc", "token_policies": ["deployer"], "user_claim": "sub"},
        ),
        "new-oidc-role": ("POST", f"auth/{oidc.path}/role/admin", {"role_type": "oidc", "user_claim": "sub"}),
        "totp-enrol-someone": (
            "POST",
            "identity/mfa/method/totp/admin-generate",
            {"method_id": "x", "entity_id": "y"},
        ),
        "totp-reset-someone": (
            "POST",
            "identity/mfa/method/totp/admin-destroy",
            {"method_id": "x", "entity_id": "y"},
        ),
    }


ATTEMPTS = sorted(_attempts(parse_stack_config(read_stack_config("local"))))


@pytest.mark.parametrize("name", ATTEMPTS)
def test_deployer_is_refused(env: Environment, deployer: str, name: str) -> None:
    method, path, body = _attempts(env.configured())[name]
    assert _call(env, deployer, method, path, body) == 403, f"{method} {path} was not refused"


def test_entity_policies_cannot_be_set_by_id_either(env: Environment, deployer: str) -> None:
    entity = env.root_client().read("identity/entity/name/svc-billing")["data"]
    assert (
        _call(env, deployer, "POST", f"identity/entity/id/{entity['id']}", {"policies": ["deployer"]}) == 403
    )
    # What the provider sends for the same entity is allowed (metadata only).
    body = {
        "name": "svc-billing",
        "metadata": entity["metadata"],
        "disabled": False,
        "external_policies": True,
    }
    assert _call(env, deployer, "POST", f"identity/entity/id/{entity['id']}", body) in (200, 204)


def test_human_group_policies_cannot_be_changed_by_id_either(env: Environment, deployer: str) -> None:
    if env.cfg.human_auth is None:
        pytest.skip("no human_auth")
    group = env.root_client().read("identity/group/name/human-operators")["data"]
    path = f"identity/group/id/{group['id']}"
    assert _call(env, deployer, "POST", path, {"name": group["name"], "policies": ["deployer"]}) == 403
    # Operators' group: human-operator and the provider keys' rotator, in the order the provider sends a set.
    policies = acl.tf_set_order(acl.human_role_policies("operator"))
    body = {"name": group["name"], "policies": policies, "metadata": group["metadata"]}
    assert _call(env, deployer, "POST", path, body) in (200, 204)  # what the provider sends


def test_the_same_token_still_applies_the_whole_layer(env: Environment, deployer: str) -> None:
    assert environment.apply_vault_layer(env, deployer) == env.applied
    assert env.last_apply is not None and env.last_apply.token == deployer
