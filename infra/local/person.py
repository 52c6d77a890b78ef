"""A person's login, headless: OIDC authorization-code flow against the local IdP, then TOTP login MFA.

The steps a browser and an authenticator app take, as HTTP calls:
1. Vault `auth/<oidc>/oidc/auth_url` (role, redirect_uri, a `client_nonce` only this client knows):
   the IdP's authorize URL with Vault's `state` and `nonce`.
2. At the IdP, signed in as the person: `identity/oidc/provider/<name>/authorize` with those parameters
   returns the authorization code (the provider's consent page does the same call).
3. Vault `auth/<oidc>/oidc/callback` with `state`, `code` and the `client_nonce`: Vault redeems the code
   at the IdP's token endpoint with its client secret, checks the ID token (issuer, audience, nonce,
   signature) and the role's bound groups, and answers with an MFA requirement instead of a token.
4. `sys/mfa/validate` with the request id and a TOTP code (RFC 6238, computed here from the secret
   an enrolment returned, as an authenticator app would) gives the token.

`vaultctl local person enroll|login NAME` wraps this for the README's "Logging in as a person".
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import secrets
import struct
import sys
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import hvac

from infra.local.idp import PROVIDER, Idp, person_login

CLI_REDIRECT = "http://localhost:8250/oidc/callback"
_HASHES = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}


@dataclass(frozen=True)
class TotpKey:
    secret: str  # base32, as in the otpauth:// URL
    period: int = 30
    digits: int = 6
    algorithm: str = "SHA1"

    @classmethod
    def from_url(cls, url: str) -> TotpKey:
        """An `otpauth://totp/...` URL (what enrolment returns and a QR code carries)."""
        query = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
        return cls(
            secret=query["secret"],
            period=int(query.get("period", 30)),
            digits=int(query.get("digits", 6)),
            algorithm=query.get("algorithm", "SHA1").upper(),
        )

    def unused_code(self, used: set[tuple[str, int]]) -> str:
        """A code of a period not in `used` (Vault refuses a code twice): waits for the next period, as
        a person waits for their app's next code; records the one it returns."""
        while (self.secret, int(time.time() // self.period)) in used:
            time.sleep(0.5)
        counter = int(time.time() // self.period)
        used.add((self.secret, counter))
        return self.code(counter * self.period)

    def code(self, at: float | None = None) -> str:
        """RFC 6238: HOTP (RFC 4226) over the number of periods since the epoch."""
        key = base64.b32decode(self.secret.upper() + "=" * (-len(self.secret) % 8))
        counter = int((time.time() if at is None else at) // self.period)
        digest = hmac.new(key, struct.pack(">Q", counter), _HASHES[self.algorithm]).digest()
        offset = digest[-1] & 0x0F
        value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
        return str(value % 10**self.digits).zfill(self.digits)


def authorization_code(vault: hvac.Client, idp: Idp, person: str, mount: str, role: str) -> dict[str, str]:
    """Steps 1-2: Vault's auth URL, then the person's consent at the IdP; returns callback parameters."""
    client_nonce = secrets.token_urlsafe(16)
    answer = vault.write(
        f"auth/{mount}/oidc/auth_url", role=role, redirect_uri=CLI_REDIRECT, client_nonce=client_nonce
    )
    auth_url = answer["data"]["auth_url"]
    if not auth_url:
        raise RuntimeError(f"auth/{mount}/oidc/auth_url: empty (redirect_uri {CLI_REDIRECT} not allowed?)")
    query = {k: v[0] for k, v in parse_qs(urlparse(auth_url).query).items()}
    at_idp = person_login(idp, person)
    # Every parameter of Vault's URL goes to the IdP as is: client_id, scope, redirect_uri, response_type,
    # state, nonce, and the PKCE code_challenge Vault checks the code against when redeeming it.
    granted = at_idp.write(f"identity/oidc/provider/{PROVIDER}/authorize", **query)
    if granted.get("state") != query["state"]:
        raise RuntimeError("the IdP answered for another state")
    return {"state": query["state"], "code": granted["code"], "client_nonce": client_nonce}


def callback(vault: hvac.Client, mount: str, params: dict[str, str]) -> dict[str, Any]:
    """Step 3: Vault redeems the code; the answer carries a token or an MFA requirement."""
    return vault.adapter.get(f"/v1/auth/{mount}/oidc/callback", params=params)


def mfa_request(answer: dict[str, Any]) -> tuple[str, list[str]]:
    """(request id, TOTP method ids) of an MFA requirement."""
    requirement = (answer.get("auth") or {}).get("mfa_requirement")
    if not requirement:
        raise RuntimeError("no MFA requirement in the login answer")
    methods = [
        method["id"]
        for constraint in requirement["mfa_constraints"].values()
        for method in constraint["any"]
        if method["type"] == "totp"
    ]
    return requirement["mfa_request_id"], methods


def validate(vault: hvac.Client, request_id: str, method_id: str, passcode: str) -> dict[str, Any]:
    """Step 4."""
    return vault.adapter.post(
        "/v1/sys/mfa/validate", json={"mfa_request_id": request_id, "mfa_payload": {method_id: [passcode]}}
    )


_USED: set[tuple[str, int]] = set()  # codes this process sent: Vault accepts each code only once


def login(vault: hvac.Client, idp: Idp, person: str, mount: str, role: str, key: TotpKey) -> str:
    """The whole flow; returns the person's Vault token."""
    request_id, methods = mfa_request(
        callback(vault, mount, authorization_code(vault, idp, person, mount, role))
    )
    return validate(vault, request_id, methods[0], key.unused_code(_USED))["auth"]["client_token"]


def entity_of(root: hvac.Client, idp: Idp, person: str, oidc_accessor: str) -> str:
    """The person's entity in Vault: the alias named after their `sub` (the IdP entity id)."""
    at_idp = person_login(idp, person)
    sub = at_idp.auth.token.lookup_self()["data"]["entity_id"]
    found = root.write("identity/lookup/entity", alias_name=sub, alias_mount_accessor=oidc_accessor)
    if not found or not found.get("data"):
        raise RuntimeError(f"{person} has no entity in Vault yet: they log in once first")
    return found["data"]["id"]


def main(argv: list[str]) -> int:
    from pathlib import Path

    from infra.local import bootstrap, environment, idp, nodes
    from infra.local.client import client
    from infra.local.state import State, default_root

    parser = argparse.ArgumentParser(prog="vaultctl local person", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["enroll", "login"])
    parser.add_argument("person", help="alice (operators), bob (auditors), carol (responders), mallory")
    parser.add_argument("--state", help="state folder (default .local/)")
    args = parser.parse_args(argv)
    state = State(Path(args.state) if args.state else default_root())
    cfg = environment.load_config()
    the_idp = idp.load(state, state.ca_cert)
    ports = state.read_env().get("ports")
    if the_idp is None or cfg.human_auth is None or not ports:
        print("vaultctl local person: no local IdP (run `vaultctl local up`)", file=sys.stderr)
        return 1
    mount = cfg.human_auth.oidc.path
    leader = bootstrap.wait_active(state, nodes.addresses(ports["nodes"]))
    vault = client(leader.api_addr, state.ca_cert)
    key_file = f"totp-{args.person}.json"
    if args.action == "enroll":
        # Break-glass enrolment of a first person (docs: an operator enrols everyone else).
        root = client(leader.api_addr, state.ca_cert, bootstrap.root_token(state))
        try:
            callback(vault, mount, authorization_code(vault, the_idp, args.person, mount, "person"))
        except hvac.exceptions.VaultError as err:
            print(f"vaultctl local person: {args.person} cannot log in: {err}", file=sys.stderr)
            return 1
        accessor = root.sys.list_auth_methods()["data"][f"{mount}/"]["accessor"]
        entity = entity_of(root, the_idp, args.person, accessor)
        method = root.list("identity/mfa/method/totp")["data"]["keys"][0]
        url = root.write("identity/mfa/method/totp/admin-generate", method_id=method, entity_id=entity)[
            "data"
        ]["url"]
        state.write_secret(key_file, json.dumps({"url": url}))
        print(
            f"enrolled {args.person}: TOTP secret in {state.secrets / key_file} (an authenticator app's copy)"
        )
        return 0
    if not (state.secrets / key_file).is_file():
        print(f"vaultctl local person: enroll {args.person} first", file=sys.stderr)
        return 1
    key = TotpKey.from_url(json.loads(state.read_secret(key_file))["url"])
    print(login(vault, the_idp, args.person, mount, "person", key))
    return 0
