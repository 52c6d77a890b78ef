"""The TLS probe sidecar's module, run by a real blackbox exporter against a real node: it verifies the
listener against the cluster CA and reports the served certificate's expiry (what the expiry alerts
read), and it fails against a CA that did not sign the certificate.

Only the CA file's path differs from the GKE sidecar's config (the same `blackbox_config` renders it).
Needs Debian's `prometheus-blackbox-exporter`; skipped without it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from infra.cluster import tls_probe
from infra.local.ports import LOOPBACK, free_ports, wait_listening

EXPORTER = shutil.which("prometheus-blackbox-exporter") or shutil.which("blackbox_exporter")
pytestmark = pytest.mark.skipif(
    EXPORTER is None, reason="no blackbox exporter (apt-get install prometheus-blackbox-exporter)"
)


def _other_ca(path: Path) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "some other CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(cert.public_bytes(Encoding.PEM))
    return path


def _metrics(text: str) -> dict[str, float]:
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            values[name] = float(value)
    return values


def test_probe_module_reports_the_served_certificate_and_verifies_it(env: Any, tmp_path: Path) -> None:
    assert EXPORTER is not None
    rendered = yaml.safe_load(tls_probe.blackbox_config(env.cfg))
    modules = {}
    for name, ca in (("good", env.ca_cert), ("wrong-ca", _other_ca(tmp_path / "other-ca.pem"))):
        module = yaml.safe_load(yaml.safe_dump(rendered["modules"][tls_probe.MODULE]))
        module["tcp"]["tls_config"]["ca_file"] = str(ca)  # the one local substitution
        modules[name] = module
    config = tmp_path / "blackbox.yml"
    config.write_text(yaml.safe_dump({"modules": modules}))
    check = subprocess.run(
        [EXPORTER, f"--config.file={config}", "--config.check"], capture_output=True, text=True, timeout=30
    )
    assert check.returncode == 0, check.stdout + check.stderr

    [port] = free_ports(1)
    proc = subprocess.Popen(
        [EXPORTER, f"--config.file={config}", f"--web.listen-address={LOOPBACK}:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_listening(port, proc.pid)
        node = env.nodes[0]
        target = f"{LOOPBACK}:{node.api_port}"  # the sidecar's 127.0.0.1:8200, here a node's port

        def probe(module: str) -> dict[str, float]:
            url = f"http://{LOOPBACK}:{port}/probe"
            response = requests.get(url, params={"module": module, "target": target}, timeout=10)
            return _metrics(response.text)

        good = probe("good")
        served = x509.load_pem_x509_certificate(env.pki.cert.read_bytes())
        assert good["probe_success"] == 1
        assert good["probe_ssl_earliest_cert_expiry"] == served.not_valid_after_utc.timestamp()
        assert good['probe_tls_version_info{version="TLS 1.3"}'] == 1
        bad = probe("wrong-ca")
        assert bad["probe_success"] == 0  # a certificate the cluster CA did not sign fails the probe
        assert "probe_ssl_earliest_cert_expiry" not in bad
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
