"""A Kubernetes TokenReview stand-in on loopback, for the Kubernetes auth method.

No Kubernetes API server exists here. Vault's Kubernetes auth parses the presented service-account JWT
(it must be a signed JWT), checks the role's bound names/namespaces and audience against its claims,
then asks the API server's TokenReview whether the token is real. This stub plays the API server: it
knows the service-account issuer's key (the registry of tokens it ever minted is "every token signed
by that key and not expired"), verifies the signature and expiry, and answers
`system:serviceaccount:NS:NAME` with the audiences the token carries.

Run as `python -m infra.local.tokenreview --port P --cert C --key K --issuer-key F` (what `up` does).
"""

from __future__ import annotations

import argparse
import json
import ssl
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from infra.local import jws
from infra.local.ports import LOOPBACK

PATH = "/apis/authentication.k8s.io/v1/tokenreviews"
ISSUER = "https://kubernetes.default.svc.cluster.local"


def mint(
    key: ec.EllipticCurvePrivateKey,
    namespace: str,
    service_account: str,
    audience: str = "vault",
    ttl: int = 600,
    expires_at: float | None = None,
) -> str:
    """A projected service-account token as kubelet would mount it (claims in the v1 format)."""
    now = int(time.time())
    uid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{namespace}/{service_account}"))
    claims = {
        "iss": ISSUER,
        "sub": f"system:serviceaccount:{namespace}:{service_account}",
        "aud": [audience],
        "iat": now,
        "nbf": now,
        "exp": int(expires_at) if expires_at is not None else now + ttl,
        "kubernetes.io": {"namespace": namespace, "serviceaccount": {"name": service_account, "uid": uid}},
    }
    return jws.sign(key, claims, kid="local-sa")


def review(public_key: ec.EllipticCurvePublicKey, body: dict[str, Any]) -> dict[str, Any]:
    """The TokenReview response for a request body (pure, so tests need no server)."""
    spec = body.get("spec") or {}
    wanted = list(spec.get("audiences") or [])
    status: dict[str, Any] = {"authenticated": False}
    try:
        claims = jws.verify(public_key, str(spec.get("token", "")), leeway=0)
        audiences = claims.get("aud") or []
        audiences = [audiences] if isinstance(audiences, str) else list(audiences)
        granted = [a for a in audiences if a in wanted] if wanted else audiences
        k8s = claims["kubernetes.io"]
        if claims.get("iss") != ISSUER or (wanted and not granted):
            status["error"] = "token audience or issuer does not match"
        else:
            status = {
                "authenticated": True,
                "user": {
                    "username": f"system:serviceaccount:{k8s['namespace']}:{k8s['serviceaccount']['name']}",
                    "uid": k8s["serviceaccount"]["uid"],
                    "groups": ["system:serviceaccounts", f"system:serviceaccounts:{k8s['namespace']}"],
                },
                "audiences": granted,
            }
    except (ValueError, KeyError, TypeError) as err:
        status["error"] = f"invalid bearer token: {err}"
    return {
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenReview",
        "spec": spec,
        "status": status,
    }


def _handler(public_key: ec.EllipticCurvePublicKey) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if self.path.split("?")[0] != PATH:
                self._send(404, {"kind": "Status", "status": "Failure", "code": 404})
                return
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self._send(400, {"kind": "Status", "status": "Failure", "code": 400})
                return
            self._send(201, review(public_key, body))

        def _send(self, code: int, payload: dict[str, Any]) -> None:
            raw = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, format: str, *args: Any) -> None:
            # Never log request bodies: they carry bearer tokens. Method, path and status only.
            print(f"tokenreview: {self.command} {self.path} {args[1] if len(args) > 1 else ''}", flush=True)

    return Handler


def serve(port: int, cert: Path, key: Path, issuer_key: Path) -> ThreadingHTTPServer:
    """Build the HTTPS server on 127.0.0.1:port (TLS 1.3 only); caller runs `serve_forever`."""
    signer = jws.ensure_key(issuer_key)
    server = ThreadingHTTPServer((LOOPBACK, port), _handler(signer.public_key()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.load_cert_chain(str(cert), str(key))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    return server


def serve_in_thread(port: int, cert: Path, key: Path, issuer_key: Path) -> ThreadingHTTPServer:
    server = serve(port, cert, key, issuer_key)
    threading.Thread(target=server.serve_forever, name="tokenreview", daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", type=Path, required=True)
    parser.add_argument("--key", type=Path, required=True)
    parser.add_argument("--issuer-key", type=Path, required=True)
    args = parser.parse_args()
    serve(args.port, args.cert, args.key, args.issuer_key).serve_forever()


if __name__ == "__main__":
    main()
