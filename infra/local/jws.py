"""Minimal ES256 JSON Web Tokens with `cryptography` (no extra runtime dependency).

Two local issuers use it: the GitHub Actions OIDC stand-in (the JWT auth method validates its tokens
with `jwt_validation_pubkeys`) and the Kubernetes service-account issuer behind the TokenReview
stand-in. Tests sign with PyJWT instead, so the two implementations check each other.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from infra.local.state import write_private


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def ensure_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """Load the signing key at `path`, creating it (0600) the first time."""
    if path.is_file():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return key
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    write_private(path, pem)
    return key


def public_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def sign(key: ec.EllipticCurvePrivateKey, claims: dict[str, Any], kid: str = "local") -> str:
    header = {"alg": "ES256", "typ": "JWT", "kid": kid}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def verify(public_key: ec.EllipticCurvePublicKey, token: str, leeway: int = 30) -> dict[str, Any]:
    """Claims of a token signed by `public_key` and not expired; ValueError otherwise."""
    try:
        header_b64, claims_b64, sig_b64 = token.split(".")
        header = json.loads(_unb64(header_b64))
        claims = json.loads(_unb64(claims_b64))
        raw = _unb64(sig_b64)
    except ValueError as err:
        raise ValueError("not a compact JWS") from err
    if header.get("alg") != "ES256" or len(raw) != 64:
        raise ValueError("only ES256 tokens are accepted")
    signature = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public_key.verify(signature, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as err:
        raise ValueError("bad signature") from err
    now = time.time()
    if "exp" in claims and now > float(claims["exp"]) + leeway:
        raise ValueError("expired")
    if "nbf" in claims and now + leeway < float(claims["nbf"]):
        raise ValueError("not yet valid")
    return claims
