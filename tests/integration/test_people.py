"""People log in through a real IdP (a second OpenBao as OIDC provider) with TOTP, and get their group's
policies only.

The authorization-code flow runs headlessly (infra/local/person.py): Vault's auth_url, the person's
consent at the IdP's authorize endpoint, Vault's callback (code redeemed with the client secret, PKCE
and nonce checked), then `sys/mfa/validate` with an RFC 6238 code from the secret enrolment returned.
"""

from __future__ import annotations

from typing import Any

import hvac
import pytest

from infra.local import idp, person
from infra.local.environment import Environment
from infra.vault import acl
from infra.vault.human_auth import ROLE, group_name

# alice: operators, bob: auditors, carol: security responders, mallory: no mapped group (infra/local/idp.py)


@pytest.fixture(scope="module")
def people(env: Environment) -> Any:
    if env.idp is None or env.cfg.human_auth is None:
        pytest.skip("the local stack declares no human_auth")
    return env.idp


@pytest.fixture(scope="module")
def mount(env: Environment) -> str:
    assert env.cfg.human_auth is not None
    return env.cfg.human_auth.oidc.path


def _vault(env: Environment) -> hvac.Client:
    return hvac.Client(url=env.leader().api_addr, verify=str(env.ca_cert), timeout=10)


def _first_login(env: Environment, people: idp.Idp, who: str, mount: str) -> dict[str, Any]:
    vault = _vault(env)
    return person.callback(vault, mount, person.authorization_code(vault, people, who, mount, ROLE))


def _method(root: hvac.Client) -> str:
    return root.list("identity/mfa/method/totp")["data"]["keys"][0]


def _enroll(env: Environment, people: idp.Idp, who: str, mount: str, by: hvac.Client) -> person.TotpKey:
    _first_login(env, people, who, mount)  # the entity exists from the first (MFA-pending) login on
    root = env.root_client()
    accessor = root.sys.list_auth_methods()["data"][f"{mount}/"]["accessor"]
    entity = person.entity_of(root, people, who, accessor)
    answer = by.write("identity/mfa/method/totp/admin-generate", method_id=_method(root), entity_id=entity)
    return person.TotpKey.from_url(answer["data"]["url"])


@pytest.fixture(scope="module")
def alice(env: Environment, people: idp.Idp, mount: str, root: hvac.Client) -> hvac.Client:
    # The first operator is enrolled with the break-glass token; everyone else by an operator.
    key = _enroll(env, people, "alice", mount, by=root)
    token = person.login(_vault(env), people, "alice", mount, ROLE, key)
    return hvac.Client(url=env.leader().api_addr, verify=str(env.ca_cert), token=token)


@pytest.fixture(scope="module")
def bob_key(env: Environment, people: idp.Idp, mount: str, alice: hvac.Client) -> person.TotpKey:
    return _enroll(env, people, "bob", mount, by=alice)


@pytest.fixture(scope="module")
def bob(env: Environment, people: idp.Idp, mount: str, bob_key: person.TotpKey) -> hvac.Client:
    token = person.login(_vault(env), people, "bob", mount, ROLE, bob_key)
    return hvac.Client(url=env.leader().api_addr, verify=str(env.ca_cert), token=token)


def test_login_without_totp_gives_no_token(env: Environment, people: idp.Idp, mount: str) -> None:
    answer = _first_login(env, people, "alice", mount)
    assert not answer["auth"].get("client_token")
    request_id, methods = person.mfa_request(answer)
    assert request_id and methods


def test_operator_lands_in_their_group_with_its_policies(
    env: Environment, alice: hvac.Client, root: hvac.Client
) -> None:
    info = alice.auth.token.lookup_self()["data"]
    assert info["policies"] == ["human-base"]
    # human-operator, and the provider keys' rotator (issue 17) that operators' groups carry.
    assert sorted(info["identity_policies"]) == sorted(acl.human_role_policies("operator"))
    assert info["ttl"] <= env.cfg.human_auth.oidc.token_ttl  # type: ignore[union-attr]
    group = root.read(f"identity/group/name/{group_name('operators')}")["data"]
    assert info["entity_id"] in group["member_entity_ids"]
    assert group["type"] == "external"


def test_wrong_totp_code_is_refused(
    env: Environment, people: idp.Idp, mount: str, bob_key: person.TotpKey
) -> None:
    vault = _vault(env)
    request_id, methods = person.mfa_request(_first_login(env, people, "bob", mount))
    wrong = str((int(bob_key.code()) + 1) % 10**bob_key.digits).zfill(bob_key.digits)
    with pytest.raises(hvac.exceptions.VaultError):
        person.validate(vault, request_id, methods[0], wrong)
    # The same request still completes with the right code (one wrong attempt is below the lockout).
    right = bob_key.unused_code(person._USED)
    assert person.validate(vault, request_id, methods[0], right)["auth"]["client_token"]
    # A code is accepted once: replaying it on a new login is refused.
    request_id, methods = person.mfa_request(_first_login(env, people, "bob", mount))
    with pytest.raises(hvac.exceptions.VaultError):
        person.validate(vault, request_id, methods[0], right)


def test_auditor_cannot_read_what_operators_can(
    alice: hvac.Client, bob: hvac.Client, root: hvac.Client, env: Environment
) -> None:
    kv = env.cfg.kv.path
    try:
        current = root.secrets.kv.v2.read_secret_metadata("apps/billing/people-test", mount_point=kv)
        version = current["data"]["current_version"]
    except hvac.exceptions.InvalidPath:
        version = 0
    # Operators rotate an application's secret...
    alice.secrets.kv.v2.create_or_update_secret(
        "apps/billing/people-test", secret={"k": "v"}, cas=version, mount_point=kv
    )
    assert alice.secrets.kv.v2.read_secret_version("apps/billing/people-test", mount_point=kv)["data"]["data"]
    # ...the auditor sees that it exists, not what it is.
    assert bob.secrets.kv.v2.read_secret_metadata("apps/billing/people-test", mount_point=kv)
    with pytest.raises(hvac.exceptions.Forbidden):
        bob.secrets.kv.v2.read_secret_version("apps/billing/people-test", mount_point=kv)
    assert "path" in bob.read("sys/policies/acl/human-operator")["data"]["policy"]
    with pytest.raises(hvac.exceptions.Forbidden):
        alice.read("sys/policies/acl/human-operator")
    for person_client in (alice, bob):
        with pytest.raises(hvac.exceptions.Forbidden):
            person_client.sys.create_or_update_policy(
                "human-operator", 'path "*" { capabilities = ["sudo"] }'
            )


def test_responder_revokes_a_token_by_accessor(
    env: Environment, people: idp.Idp, mount: str, alice: hvac.Client, root: hvac.Client
) -> None:
    key = _enroll(env, people, "carol", mount, by=alice)
    carol = hvac.Client(
        url=env.leader().api_addr,
        verify=str(env.ca_cert),
        token=person.login(_vault(env), people, "carol", mount, ROLE, key),
    )
    leaked = root.auth.token.create(policies=["token-self"], ttl="10m")["auth"]
    assert carol.auth.token.lookup_accessor(leaked["accessor"])["data"]["policies"]
    carol.auth.token.revoke_accessor(leaked["accessor"])
    with pytest.raises(hvac.exceptions.VaultError):
        hvac.Client(
            url=env.leader().api_addr, verify=str(env.ca_cert), token=leaked["client_token"]
        ).lookup_token()
    with pytest.raises(hvac.exceptions.Forbidden):
        carol.secrets.kv.v2.read_secret_version("apps/billing/people-test", mount_point=env.cfg.kv.path)


def test_person_in_no_mapped_group_gets_no_token(env: Environment, people: idp.Idp, mount: str) -> None:
    with pytest.raises(hvac.exceptions.VaultError, match=r"bound claim|groups"):
        _first_login(env, people, "mallory", mount)
