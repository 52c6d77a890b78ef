"""One source for the server spec: a local node runs the GKE spec with only the fields below replaced.

The local node's spec (`infra.local.nodes.node_spec`, what `vaultctl local up` renders) and the GKE
spec (`infra.cluster.server_spec.gke_server_spec`, what every staging/prod pod reads) are computed
independently here for the same stack config and compared field by field: any difference outside
ALLOWED fails, whether it comes from an override in the local code or from a local spec built some other
way. So what the local cluster proves (TLS minimum, Raft settings, telemetry, audit, TTLs) is what prod
runs.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from infra.cluster.server_hcl import GcpCkmsSeal, ServerSpec, render_server_hcl
from infra.cluster.server_spec import cloud_kms_seal, gke_server_spec
from infra.config import StackConfig, parse_stack_config
from infra.harness import read_stack_config
from infra.local import nodes
from infra.local.kms import Kms
from infra.local.pki import NodePki
from infra.local.state import State

# Field -> why one machine cannot use the GKE value. Add a field only with its reason.
ALLOWED = {
    "seal": "Cloud KMS (gcpckms) does not exist here and is not built into OpenBao: transit at the KMS stand-in",
    "raft_path": "each node's data folder in the state directory instead of the pod's volume",
    "listener_address": "loopback and a free port per node instead of 0.0.0.0:8200 in a pod",
    "cluster_listener_address": "loopback and a free port per node instead of 0.0.0.0:8201 in a pod",
    "tls_cert_file": "the local node certificate's path instead of the mounted secret's",
    "tls_key_file": "the local node key's path instead of the mounted secret's",
    "retry_join": "the other nodes' loopback addresses and CA path instead of the pods' DNS names",
    "api_addr": "in the file: a process has no pod environment to take it from",
    "cluster_addr": "in the file: a process has no pod environment to take it from",
    "node_id": "in the file: a process has no pod name to take it from",
    "kubernetes_service_registration": "no Kubernetes API here to register with",
    "autopilot_reconcile_interval": "local-only speed-up of voter promotion (bench/RESULTS.md)",
    "autopilot_update_interval": "local-only speed-up of voter promotion (bench/RESULTS.md)",
}
FIELDS = {f.name for f in dataclasses.fields(ServerSpec)}
STACKS = ("local", "staging", "prod")
# The local stack has no GCP settings; its "GKE spec" gets a stand-in Cloud KMS seal (only the seal).
STAND_IN_SEAL = GcpCkmsSeal(project="p", region="europe", key_ring="ring", crypto_key="key")


def differences(a: ServerSpec, b: ServerSpec) -> set[str]:
    return {name for name in FIELDS if getattr(a, name) != getattr(b, name)}


def _cfg(stack: str) -> StackConfig:
    return parse_stack_config(read_stack_config(stack))


def _gke(cfg: StackConfig) -> ServerSpec:
    return gke_server_spec(cfg) if cfg.gcp else gke_server_spec(cfg, seal=STAND_IN_SEAL)


def _local(cfg: StackConfig, tmp_path: Path, index: int = 0) -> ServerSpec:
    pki = NodePki(tmp_path / "ca.pem", tmp_path / "node.pem", tmp_path / "node-key.pem")
    kms = Kms("https://127.0.0.1:18300", "autounseal", "transit/", tmp_path / "kms-ca.pem")
    addresses = nodes.addresses([10001, 10002, 10003, 10004, 10005, 10006])
    return nodes.node_spec(cfg, State(tmp_path), pki, kms, addresses, index)


def test_the_allowed_list_names_real_fields() -> None:
    assert set(ALLOWED) <= FIELDS


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("index", [0, 2])
def test_a_local_node_differs_from_gke_only_in_the_allowed_fields(
    stack: str, index: int, tmp_path: Path
) -> None:
    cfg = _cfg(stack)
    diff = differences(_gke(cfg), _local(cfg, tmp_path, index))
    assert diff - set(ALLOWED) == set(), f"local node spec differs from GKE in {sorted(diff - set(ALLOWED))}"
    assert {"seal", "listener_address", "node_id"} <= diff  # the comparison sees the local node at all


@pytest.mark.parametrize("stack", STACKS)
def test_the_local_node_file_is_that_spec_rendered(stack: str, tmp_path: Path) -> None:
    cfg = _cfg(stack)
    pki = NodePki(tmp_path / "ca.pem", tmp_path / "node.pem", tmp_path / "node-key.pem")
    kms = Kms("https://127.0.0.1:18300", "autounseal", "transit/", tmp_path / "kms-ca.pem")
    addresses = nodes.addresses([10001, 10002, 10003, 10004, 10005, 10006])
    text = nodes.render_node(cfg, State(tmp_path), pki, kms, addresses, 1)
    assert text == render_server_hcl(nodes.node_spec(cfg, State(tmp_path), pki, kms, addresses, 1))


SHARED_CHANGES = {
    "tls_min_version": "tls12",
    "tls_cipher_suites": ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",),
    "performance_multiplier": 5,
    "unauthenticated_metrics": False,
    "prometheus_retention_seconds": 1,
    "log_level": "trace",
    "default_lease_ttl_seconds": 1,
    "max_lease_ttl_seconds": 2,
    "audit": (),
    "disable_mlock": False,
    "ui": False,
    "flavour": "vault",
    "plugin_directory": "/vault/plugins",
}


def test_every_field_is_either_allowed_or_checked() -> None:
    # A new ServerSpec field must be classified: shared with prod (checked below) or allowed to differ.
    assert set(ALLOWED) | set(SHARED_CHANGES) == FIELDS


@pytest.mark.parametrize(("field", "value"), sorted(SHARED_CHANGES.items()))
def test_a_local_change_to_a_shared_field_is_caught(field: str, value: object, tmp_path: Path) -> None:
    """The check fires: a local node spec with one shared setting changed (as an override in
    `node_spec` would do) differs from GKE outside the allowed list, in exactly that field."""
    cfg = _cfg("local")
    local = _local(cfg, tmp_path)
    assert getattr(local, field) != value  # a real change
    planted = dataclasses.replace(local, **{field: value})
    assert differences(_gke(cfg), planted) - set(ALLOWED) == {field}


def test_the_gke_spec_of_a_stack_without_gcp_needs_a_seal() -> None:
    with pytest.raises(ValueError, match="stack 'local' has no gcp/kms settings"):
        cloud_kms_seal(_cfg("local"))
    assert gke_server_spec(_cfg("prod")).seal == cloud_kms_seal(_cfg("prod"))
