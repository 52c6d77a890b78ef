"""The server HCL renderer: golden files per stack, and properties over every flavour/seal/TLS setting."""

from __future__ import annotations

import dataclasses
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
        cfg.kms_project(),  # the key ring's project (kms.project), not the cluster's
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


def _local_node_hcl(index: int) -> str:
    from infra.config import parse_stack_config
    from infra.harness import read_stack_config
    from infra.local import nodes
    from infra.local.kms import Kms
    from infra.local.pki import NodePki
    from infra.local.state import State

    root = Path("/srv/vaultctl")  # fixed paths: the file is compared byte for byte
    pki = NodePki(root / "pki/ca.pem", root / "pki/node.pem", root / "pki/node-key.pem")
    kms = Kms("https://127.0.0.1:18300", "autounseal", "transit/", root / "pki/kms-ca.pem")
    addresses = nodes.addresses([18200, 18201, 18210, 18211, 18220, 18221])
    return nodes.render_node(
        parse_stack_config(read_stack_config("local")), State(root), pki, kms, addresses, index
    )


def test_golden_local_node():
    # The local flavour (OpenBao): transit seal, node identity in the file, declarative audit, the
    # local-only autopilot periods. Regenerate deliberately, as the GKE goldens.
    assert _local_node_hcl(1) == (GOLDEN / "local.node-1.server.hcl").read_text()


# Every optional setting at once, for settings no shipped stack uses (cipher suites, socket audit,
# Vault's disable_mlock): a renderer that drops or misspells one must fail here.
FULL = ServerSpec(
    flavour="vault",
    seal=TransitSeal(address="https://kms:8200", key_name="k", mount_path="t/", tls_ca_file="/ca.pem"),
    raft_path="/data",
    listener_address="127.0.0.1:8200",
    cluster_listener_address="127.0.0.1:8201",
    tls_cert_file="/tls/cert.pem",
    tls_key_file="/tls/key.pem",
    tls_min_version="tls12",
    retry_join=[RetryJoin("https://n0:8200", "/tls/ca.pem"), RetryJoin("https://n1:8200", "/ca1.pem", "n1")],
    performance_multiplier=2,
    tls_cipher_suites=("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
    api_addr="https://n0:8200",
    cluster_addr="https://n0:8201",
    node_id="n0",
    prometheus_retention_seconds=60,
    unauthenticated_metrics=False,
    kubernetes_service_registration=True,
    ui=False,
    log_level="debug",
    default_lease_ttl_seconds=60,
    max_lease_ttl_seconds=120,
    audit=(
        AuditDevice(name="to-file", type="file", file_path="/audit.log"),
        AuditDevice(name="to-siem", type="socket", address="siem:9090", socket_type="udp"),
    ),
    disable_mlock=False,
    autopilot_reconcile_interval="3s",
    autopilot_update_interval="1s",
)
FULL_VAULT = """\
api_addr = "https://n0:8200"
cluster_addr = "https://n0:8201"
ui = false
disable_mlock = false
log_level = "debug"
log_format = "json"
default_lease_ttl = "60s"
max_lease_ttl = "120s"

listener "tcp" {
  address         = "127.0.0.1:8200"
  cluster_address = "127.0.0.1:8201"
  tls_cert_file   = "/tls/cert.pem"
  tls_key_file    = "/tls/key.pem"
  tls_min_version = "tls12"
  tls_cipher_suites = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
  telemetry {
    unauthenticated_metrics_access = false
  }
}

storage "raft" {
  path = "/data"
  node_id = "n0"
  performance_multiplier = 2
  autopilot_reconcile_interval = "3s"
  autopilot_update_interval = "1s"
  retry_join {
    leader_api_addr     = "https://n0:8200"
    leader_ca_cert_file = "/tls/ca.pem"
  }
  retry_join {
    leader_api_addr     = "https://n1:8200"
    leader_ca_cert_file = "/ca1.pem"
    leader_tls_servername = "n1"
  }
}

seal "transit" {
  address    = "https://kms:8200"
  key_name   = "k"
  mount_path = "t/"
  tls_ca_cert = "/ca.pem"
}

service_registration "kubernetes" {}

telemetry {
  prometheus_retention_time = "60s"
  disable_hostname          = true
}
"""
FULL_AUDIT = """
audit "file" "to-file" {
  description = "declared in code"
  options {
    file_path = "/audit.log"
    format = "json"
    hmac_accessor = "true"
  }
}
audit "socket" "to-siem" {
  description = "declared in code"
  options {
    address = "siem:9090"
    socket_type = "udp"
    format = "json"
    hmac_accessor = "true"
  }
}
"""


def test_every_setting_is_rendered():
    assert render_server_hcl(FULL) == FULL_VAULT  # Vault: audit devices go through the API instead
    openbao = dataclasses.replace(FULL, flavour="openbao")
    # OpenBao: no disable_mlock (it warns on the key); the audit devices are declared in the file.
    assert render_server_hcl(openbao) == FULL_VAULT.replace("disable_mlock = false\n", "") + FULL_AUDIT
    parse(render_server_hcl(openbao))  # and it is HCL


def test_optional_settings_left_out_render_nothing():
    bare = dataclasses.replace(
        FULL,
        api_addr=None,
        cluster_addr=None,
        node_id=None,
        tls_cipher_suites=(),
        autopilot_reconcile_interval=None,
        autopilot_update_interval=None,
        kubernetes_service_registration=False,
        seal=TransitSeal(address="https://kms:8200", key_name="k"),
    )
    text = render_server_hcl(bare)
    assert text.startswith(
        "# node_id, api_addr and cluster_addr come from the pod's environment\nui = false\n"
    )
    lines = text.splitlines()
    for absent in ("api_addr =", "cluster_addr =", "  node_id =", "  tls_cipher_suites =", "  autopilot",
                   "service_registration", "  tls_ca_cert ="):  # fmt: skip
        assert not any(line.startswith(absent) for line in lines), absent
    assert 'mount_path = "transit/"' in text  # the transit seal's default mount
