"""The server HCL renderer: golden files per stack, and properties over every flavour/seal/TLS setting."""

from __future__ import annotations

import itertools
from pathlib import Path

import hcl2
import pytest
from hcl2.utils import SerializationOptions

from infra.cluster.layout import pod_names
from infra.cluster.server_config import render
from infra.cluster.server_hcl import GcpCkmsSeal, RetryJoin, ServerSpec, TransitSeal, render_server_hcl
from infra.cluster.tls import node_dns_names
from infra.config import AuditDevice

GOLDEN = Path(__file__).with_name("golden")
PLAIN = SerializationOptions(with_comments=False, strip_string_quotes=True, explicit_blocks=False)


def parse(text: str) -> dict:
    return hcl2.loads(text, serialization_options=PLAIN)


def block(doc: dict, kind: str) -> tuple[str, dict]:
    [entry] = doc[kind]
    [(label, body)] = entry.items()
    return label.strip('"'), body


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_golden(config, stack):
    # Regenerate deliberately (and review the diff) when the server config is meant to change.
    assert render(config(stack)) == (GOLDEN / f"{stack}.server.hcl").read_text()


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_gke_config_properties(config, stack):
    cfg = config(stack)
    doc = parse(render(cfg))
    _, listener = block(doc, "listener")
    assert listener["tls_min_version"] == cfg.cluster.tls.min_version
    kind, raft = block(doc, "storage")
    assert kind == "raft" and raft["performance_multiplier"] == 1
    joins = raft["retry_join"]
    assert len(joins) == cfg.cluster.nodes
    sans = set(node_dns_names(cfg))
    for pod, join in zip(pod_names(cfg), joins, strict=True):
        assert join["leader_api_addr"] == f"https://{join['leader_tls_servername']}:8200"
        assert join["leader_tls_servername"].startswith(f"{pod}.")
        assert join["leader_tls_servername"] in sans  # the #1 join failure: servername not a SAN
        assert join["leader_ca_cert_file"] == "/vault/tls/ca.crt"
    seal_kind, seal = block(doc, "seal")
    assert seal_kind == "gcpckms"
    assert (seal["project"], seal["region"], seal["key_ring"], seal["crypto_key"]) == (
        cfg.gcp.project,
        cfg.kms.location,
        cfg.kms.key_ring,
        cfg.kms.crypto_key,
    )
    assert "service_registration" in doc
    assert doc["telemetry"][0]["disable_hostname"] is True
    assert doc["log_format"] == "json"
    assert "audit" not in doc  # Vault: audit devices are created through the API by the Vault layer


SEALS = [
    GcpCkmsSeal(project="p", region="r", key_ring="ring", crypto_key="key"),
    TransitSeal(address="https://127.0.0.1:18300", key_name="autounseal", tls_ca_file="/ca.pem"),
]
AUDIT = (AuditDevice(name="file", type="file", file_path="/vault/audit/audit.log"),)


def _spec(flavour: str, seal: object, tls_min: str, audit: tuple) -> ServerSpec:
    return ServerSpec(
        flavour=flavour,
        seal=seal,
        raft_path="/data",
        listener_address="127.0.0.1:8200",
        cluster_listener_address="127.0.0.1:8201",
        tls_cert_file="/tls/cert.pem",
        tls_key_file="/tls/key.pem",
        tls_min_version=tls_min,
        retry_join=[RetryJoin(f"https://n{i}:8200", "/tls/ca.pem", f"n{i}") for i in range(3)],
        audit=audit,
    )


@pytest.mark.parametrize(
    ("flavour", "seal", "tls_min", "audit"),
    list(itertools.product(["vault", "openbao"], SEALS, ["tls12", "tls13"], [(), AUDIT])),
)
def test_properties_hold_for_every_input(flavour, seal, tls_min, audit):
    spec = _spec(flavour, seal, tls_min, audit)
    text = render_server_hcl(spec)
    doc = parse(text)
    assert "tls_disable" not in text  # there is no input that renders it
    _, listener = block(doc, "listener")
    assert listener["tls_min_version"] == tls_min
    assert listener["tls_cert_file"] and listener["tls_key_file"]
    _, raft = block(doc, "storage")
    assert raft["performance_multiplier"] == 1
    assert [j["leader_tls_servername"] for j in raft["retry_join"]] == ["n0", "n1", "n2"]
    seal_kind, seal_body = block(doc, "seal")
    if isinstance(seal, GcpCkmsSeal):
        assert seal_kind == "gcpckms" and seal_body["crypto_key"] == "key"
    else:
        assert seal_kind == "transit" and seal_body["key_name"] == "autounseal"
        assert "token" not in seal_body  # the transit token comes from the environment
    assert ("audit" in doc) == (flavour == "openbao" and bool(audit))
    assert render_server_hcl(spec) == text  # pure: same input, same bytes
