"""The rendered GKE server config is accepted by a real server binary (OpenBao's `bao`).

`bao` has no gcpckms seal (docs/facts.md#no-gcpckms-in-openbao), and the pod's addresses, paths and Kubernetes service registration
do not exist here, so exactly those are swapped: seal -> shamir (the block is dropped), listener
addresses -> free loopback ports, /vault/{tls,data,plugins} -> a temp folder, and service_registration dropped.
Everything else (listener TLS, telemetry, raft with every retry_join, TTLs, log settings) is the
rendered text, byte for byte. The server must start, answer /v1/sys/health over verified TLS, and
refuse a TLS handshake below the configured minimum.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import re
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from infra.cluster.server_config import render
from infra.local.ports import free_ports
from tests import servers

BAO = servers.bao()
pytestmark = [pytest.mark.server, pytest.mark.skipif(BAO is None, reason=servers.NO_BAO)]


def _pki(folder: Path) -> None:
    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("test CA"))
        .issuer_name(name("test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    (folder / "ca.crt").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "tls.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "tls.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    (folder / "tls.key").chmod(0o600)


def _env(home: Path, api_port: int, cluster_port: int) -> dict[str, str]:
    # As the StatefulSet sets them from the pod (raft needs a cluster address).
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "BAO_API_ADDR": f"https://127.0.0.1:{api_port}",
        "BAO_CLUSTER_ADDR": f"https://127.0.0.1:{cluster_port}",
        "BAO_RAFT_NODE_ID": "vault-0",
    }


def swap_for_loopback(hcl: str, folder: Path, api_port: int, cluster_port: int) -> str:
    out = re.sub(r'\nseal "gcpckms" \{.*?\n\}\n', "\n", hcl, flags=re.S)
    out = out.replace('service_registration "kubernetes" {}\n', "")
    out = out.replace('"0.0.0.0:8200"', f'"127.0.0.1:{api_port}"').replace(
        '"0.0.0.0:8201"', f'"127.0.0.1:{cluster_port}"'
    )
    out = out.replace('"/vault/tls/', f'"{folder}/tls/').replace('"/vault/data"', f'"{folder}/data"')
    # The plugin directory the init container fills (infra/cluster/plugins.py): an empty one here.
    out = out.replace('plugin_directory = "/vault/plugins"', f'plugin_directory = "{folder}/plugins"')
    assert "gcpckms" not in out and "/vault/" not in out and "0.0.0.0" not in out  # noqa: S104 (loopback only)
    return out


def _first_health_answer(
    proc: subprocess.Popen[bytes], port: int, context: ssl.SSLContext, log: Path, timeout: float = 20
) -> tuple[int, dict]:
    """The server's first HTTP answer on /v1/sys/health; fails if it exits or never answers."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        try:
            with urllib.request.urlopen(
                f"https://127.0.0.1:{port}/v1/sys/health", context=context, timeout=2
            ) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(
                    f"no answer on 127.0.0.1:{port} within {timeout:.0f}s:\n{log.read_text()[-3000:]}"
                )
            time.sleep(0.2)
    pytest.fail(f"the server exited ({proc.returncode}) before answering:\n{log.read_text()[-3000:]}")


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_rendered_config_starts_a_real_server(config, tmp_path, stack):
    cfg = config(stack)
    (tmp_path / "tls").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "plugins").mkdir()
    _pki(tmp_path / "tls")
    api_port, cluster_port = free_ports(2)
    hcl = swap_for_loopback(render(cfg), tmp_path, api_port, cluster_port)
    # the swap kept every line of the TLS listener settings and every retry_join
    assert hcl.count("retry_join {") == cfg.cluster.nodes
    assert f'tls_min_version = "{cfg.cluster.tls.min_version}"' in hcl
    (tmp_path / "server.hcl").write_text(hcl)
    env = _env(tmp_path, api_port, cluster_port)
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [BAO, "server", f"-config={tmp_path / 'server.hcl'}"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        context = ssl.create_default_context(cafile=str(tmp_path / "tls" / "ca.crt"))
        status, body = _first_health_answer(proc, api_port, context, tmp_path / "server.log")
        assert status == 501, (tmp_path / "server.log").read_text()[-3000:]  # up, TLS-verified, uninitialized
        assert body["initialized"] is False  # it is our fresh server answering

        if cfg.cluster.tls.min_version == "tls13":
            old = ssl.create_default_context(cafile=str(tmp_path / "tls" / "ca.crt"))
            old.maximum_version = ssl.TLSVersion.TLSv1_2
            with (
                pytest.raises(ssl.SSLError),
                socket.create_connection(("127.0.0.1", api_port), timeout=5) as raw,
            ):
                old.wrap_socket(raw, server_hostname="127.0.0.1")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_the_same_harness_rejects_a_bad_listener(config, tmp_path):
    # Identical swap, one bad value: the server must refuse to start, or the test above proves nothing.
    (tmp_path / "tls").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "plugins").mkdir()
    _pki(tmp_path / "tls")
    api_port, cluster_port = free_ports(2)
    hcl = swap_for_loopback(render(config("staging")), tmp_path, api_port, cluster_port)
    (tmp_path / "server.hcl").write_text(
        hcl.replace('tls_min_version = "tls13"', 'tls_min_version = "tls99"')
    )
    result = subprocess.run(
        [BAO, "server", f"-config={tmp_path / 'server.hcl'}"],
        capture_output=True,
        text=True,
        timeout=20,
        env=_env(tmp_path, api_port, cluster_port),
    )
    assert result.returncode != 0
    assert "tls99" in result.stdout + result.stderr
