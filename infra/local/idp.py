"""The local identity provider: a second OpenBao acting as an OIDC provider for people's logins.

OpenBao's identity OIDC provider (`identity/oidc/provider/<name>`: discovery, authorize, token, keys)
plays the organisation's IdP. People are userpass users with an identity entity each; their IdP groups
are internal groups, published in the ID token by a `groups` scope (`{"groups": ...entity.groups.names}`).
Vault is a confidential client (`identity/oidc/client/vault`) whose client id and secret `up` hands the
`local` stack as `human_auth.oidc` overrides, with the issuer URL and the local CA.

Like the KMS stand-in it keeps one-node Raft storage under the state folder, is initialized once
(one Shamir share, 0600) and unsealed by `up`; its configuration is re-applied idempotently on each `up`.
The people and their passwords (generated once, 0600) are in `PEOPLE`; `mallory` is in no group the
stack maps, so her logins are refused.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hvac

from infra.local import processes
from infra.local.client import client, health, wait_for
from infra.local.kms import bao_binary
from infra.local.ports import LOOPBACK, wait_listening
from infra.local.state import State
from infra.vault.acl import render_template

IDP_NAME = "idp"
PROVIDER = "vault-platform"
CLIENT = "vault"
SCOPE = "groups"
USERPASS = "userpass"
# IdP groups as the local stack's human_auth.groups name them, and one person in each (plus one outside).
PEOPLE = {
    "alice": "vault-operators",
    "bob": "vault-auditors",
    "carol": "security-responders",
    "mallory": "contractors",
}
USER_POLICY = "idp-person"


@dataclass(frozen=True)
class Idp:
    address: str
    issuer: str
    client_id: str
    client_secret: str
    ca_cert: Path
    passwords: dict[str, str]


def _dir(state: State) -> Path:
    return state.root / "idp"


def _config(state: State, port: int, cluster_port: int, cert: Path, key: Path) -> str:
    data = _dir(state) / "data"
    return "\n".join(
        [
            "ui = true",  # the provider's login + consent pages, for a person with a browser
            f'api_addr = "https://{LOOPBACK}:{port}"',
            f'cluster_addr = "https://{LOOPBACK}:{cluster_port}"',
            'storage "raft" {',
            f'  path = "{data}"',
            '  node_id = "idp"',
            "  performance_multiplier = 1",
            "}",
            'listener "tcp" {',
            f'  address = "{LOOPBACK}:{port}"',
            f'  cluster_address = "{LOOPBACK}:{cluster_port}"',
            f'  tls_cert_file = "{cert}"',
            f'  tls_key_file = "{key}"',
            '  tls_min_version = "tls13"',
            "}",
            "",
        ]
    )


def start(state: State, port: int, cluster_port: int, cert: Path, key: Path, ca_cert: Path) -> hvac.Client:
    """Start (or find running) the IdP server, initialized and unsealed; returns a root client."""
    address = f"https://{LOOPBACK}:{port}"
    config = _dir(state) / "idp.hcl"
    if processes.running(state, IDP_NAME) is None:
        (_dir(state) / "data").mkdir(parents=True, exist_ok=True)
        config.write_text(_config(state, port, cluster_port, cert, key))
        proc = processes.start(
            state,
            IDP_NAME,
            [bao_binary(), "server", f"-config={config}"],
            env=processes.clean_env(),
            marker=str(config),
        )
        wait_listening(port, proc.pid)
    c = client(address, ca_cert)
    wait_for("the IdP's API", lambda: health(address, ca_cert)[0], timeout=20)
    init_file = state.secrets / "idp-init.json"
    if not c.sys.is_initialized():
        state.write_secret(init_file.name, json.dumps(c.sys.initialize(secret_shares=1, secret_threshold=1)))
    init = json.loads(init_file.read_text())
    if c.sys.is_sealed():
        c.sys.submit_unseal_key(init["keys"][0])
    c.token = init["root_token"]
    wait_for("the IdP to become active", lambda: health(address, ca_cert)[0] == 200, 30)
    return c


def _passwords(state: State) -> dict[str, str]:
    name = "idp-people.json"
    if not (state.secrets / name).is_file():
        state.write_secret(name, json.dumps({person: secrets.token_urlsafe(18) for person in PEOPLE}))
    return json.loads(state.read_secret(name))


def _entity_id(c: hvac.Client, name: str) -> str:
    c.write(f"identity/entity/name/{name}", metadata={"person": name})
    return c.read(f"identity/entity/name/{name}")["data"]["id"]


def configure(c: hvac.Client, state: State, redirect_uris: list[str], ca_cert: Path) -> Idp:
    """People, groups and the OIDC provider with Vault as its client (idempotent)."""
    if f"{USERPASS}/" not in c.sys.list_auth_methods()["data"]:
        c.sys.enable_auth_method("userpass", path=USERPASS)
    accessor = c.sys.list_auth_methods()["data"][f"{USERPASS}/"]["accessor"]
    c.sys.create_or_update_policy(USER_POLICY, render_template(USER_POLICY, provider=PROVIDER))
    passwords = _passwords(state)
    aliases = (c.list("identity/entity-alias/id") or {}).get("data", {}).get("key_info", {})
    members: dict[str, list[str]] = {}
    for person, group in PEOPLE.items():
        c.write(
            f"auth/{USERPASS}/users/{person}",
            password=passwords[person],
            token_policies=[USER_POLICY],
            token_ttl="15m",  # noqa: S106 (a duration)
        )
        entity = _entity_id(c, person)
        if not any(a["name"] == person and a["mount_accessor"] == accessor for a in aliases.values()):
            c.write("identity/entity-alias", name=person, mount_accessor=accessor, canonical_id=entity)
        members.setdefault(group, []).append(entity)
    for group, entities in members.items():
        c.write(f"identity/group/name/{group}", type="internal", member_entity_ids=entities)
    c.write(
        f"identity/oidc/key/{PROVIDER}", algorithm="RS256", allowed_client_ids=["*"], rotation_period="24h"
    )
    template = '{"groups": {{identity.entity.groups.names}}}'
    c.write(f"identity/oidc/scope/{SCOPE}", template=template, description="IdP group names")
    c.write(
        f"identity/oidc/client/{CLIENT}",
        key=PROVIDER,
        redirect_uris=redirect_uris,
        assignments=["allow_all"],
        client_type="confidential",
        id_token_ttl="5m",  # noqa: S106 (a duration)
        access_token_ttl="5m",  # noqa: S106 (a duration)
    )
    registered: dict[str, Any] = c.read(f"identity/oidc/client/{CLIENT}")["data"]
    c.write(
        f"identity/oidc/provider/{PROVIDER}",
        allowed_client_ids=[registered["client_id"]],
        scopes_supported=[SCOPE],
    )
    issuer = c.read(f"identity/oidc/provider/{PROVIDER}")["data"]["issuer"]
    state.write_env(
        {
            **state.read_env(),
            "idp": {"address": c.url, "issuer": issuer, "client_id": registered["client_id"]},
        }
    )
    state.write_secret("idp-client-secret", registered["client_secret"])
    configured = load(state, ca_cert)
    assert configured is not None, "the IdP's env entry and client secret were just written"
    return configured


def load(state: State, ca_cert: Path) -> Idp | None:
    """The IdP `up` configured, from the state folder (None before the first `up`)."""
    saved = state.read_env().get("idp")
    if not saved or not (state.secrets / "idp-client-secret").is_file():
        return None
    return Idp(
        address=saved["address"],
        issuer=saved["issuer"],
        client_id=saved["client_id"],
        client_secret=state.read_secret("idp-client-secret"),
        ca_cert=ca_cert,
        passwords=_passwords(state),
    )


def person_login(idp: Idp, person: str) -> hvac.Client:
    """The person signed in at the IdP (what the provider's login page does)."""
    c = client(idp.address, idp.ca_cert)
    c.auth.userpass.login(person, idp.passwords[person], mount_point=USERPASS)
    return c
