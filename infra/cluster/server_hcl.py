"""Render the Vault/OpenBao server configuration (HCL). Pure: same inputs, same bytes.

One renderer serves GKE (seal "gcpckms", addresses from the pod, Kubernetes service registration) and
the local environment (seal "transit", loopback addresses): only the seal and the addresses differ, so
what the local cluster proves is the configuration prod runs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from infra.config import AuditDevice


@dataclass(frozen=True)
class GcpCkmsSeal:
    project: str
    region: str
    key_ring: str
    crypto_key: str


@dataclass(frozen=True)
class TransitSeal:
    """Transit auto-unseal; the local environment's stand-in for Cloud KMS.

    The token is not rendered: it reaches the server as the `BAO_TOKEN`/`VAULT_TOKEN` environment of the
    process, so no credential sits in a config file.
    """

    address: str
    key_name: str
    mount_path: str = "transit/"
    tls_ca_file: str | None = None


Seal = GcpCkmsSeal | TransitSeal


@dataclass(frozen=True)
class RetryJoin:
    leader_api_addr: str
    leader_ca_cert_file: str
    # Must match a SAN of the leader's certificate: the top recurring join failure (hashicorp/vault#10153).
    leader_tls_servername: str | None = None


@dataclass(frozen=True)
class ServerSpec:
    flavour: Literal["vault", "openbao"]
    seal: Seal
    raft_path: str
    listener_address: str
    cluster_listener_address: str
    tls_cert_file: str
    tls_key_file: str
    tls_min_version: Literal["tls12", "tls13"]
    retry_join: Sequence[RetryJoin]
    performance_multiplier: int = 1
    tls_cipher_suites: Sequence[str] = ()
    # None: taken from the environment (VAULT_API_ADDR / VAULT_CLUSTER_ADDR set from the pod's fields).
    api_addr: str | None = None
    cluster_addr: str | None = None
    node_id: str | None = None
    prometheus_retention_seconds: int = 30
    unauthenticated_metrics: bool = True
    kubernetes_service_registration: bool = False
    ui: bool = True
    log_level: str = "info"
    default_lease_ttl_seconds: int = 3600
    max_lease_ttl_seconds: int = 86400
    # Declarative audit devices: OpenBao only (Vault creates them through the API). Byte-identical on
    # every node, or each new leader steps down (docs/facts.md#audit-identical).
    audit: Sequence[AuditDevice] = field(default_factory=tuple)
    disable_mlock: bool = True
    # Raft autopilot loop periods (e.g. "1s"). None renders nothing, so the server keeps its defaults
    # (reconcile 10s, update 2s): production never gets these keys. Only the local environment sets
    # them, where a fresh joiner otherwise waits up to a whole reconcile period to be promoted
    # (bench/RESULTS.md, "Local bring-up").
    autopilot_reconcile_interval: str | None = None
    autopilot_update_interval: str | None = None
    # Where external plugins live (Vault: "plugin_directory ... must be set to use external plugins";
    # without it a catalog write answers "plugin directory is not configured"). None renders nothing.
    plugin_directory: str | None = None


def _q(value: str) -> str:
    return json.dumps(value)


def _seal_block(seal: Seal) -> list[str]:
    if isinstance(seal, GcpCkmsSeal):
        return [
            'seal "gcpckms" {',
            f"  project    = {_q(seal.project)}",
            f"  region     = {_q(seal.region)}",
            f"  key_ring   = {_q(seal.key_ring)}",
            f"  crypto_key = {_q(seal.crypto_key)}",
            "}",
        ]
    lines = [
        'seal "transit" {',
        f"  address    = {_q(seal.address)}",
        f"  key_name   = {_q(seal.key_name)}",
        f"  mount_path = {_q(seal.mount_path)}",
    ]
    if seal.tls_ca_file:
        lines.append(f"  tls_ca_cert = {_q(seal.tls_ca_file)}")
    lines.append("}")
    return lines


def _audit_blocks(devices: Sequence[AuditDevice]) -> list[str]:
    lines: list[str] = []
    for device in devices:
        lines += [
            f'audit "{device.type}" {_q(device.name)} {{',
            '  description = "declared in code"',
            "  options {",
        ]
        if device.type == "file":
            lines.append(f"    file_path = {_q(device.file_path or '')}")
        else:
            lines += [
                f"    address = {_q(device.address or '')}",
                f"    socket_type = {_q(device.socket_type)}",
            ]
        lines += ['    format = "json"', '    hmac_accessor = "true"', "  }", "}"]
    return lines


def _listener_block(spec: ServerSpec) -> list[str]:
    lines = [
        'listener "tcp" {',
        f"  address         = {_q(spec.listener_address)}",
        f"  cluster_address = {_q(spec.cluster_listener_address)}",
        # TLS is never optional here: there is no input that renders tls_disable.
        f"  tls_cert_file   = {_q(spec.tls_cert_file)}",
        f"  tls_key_file    = {_q(spec.tls_key_file)}",
        f"  tls_min_version = {_q(spec.tls_min_version)}",
    ]
    if spec.tls_cipher_suites:
        lines.append(f"  tls_cipher_suites = {_q(','.join(spec.tls_cipher_suites))}")
    return [
        *lines,
        "  telemetry {",
        f"    unauthenticated_metrics_access = {str(spec.unauthenticated_metrics).lower()}",
        "  }",
        "}",
    ]


def _storage_block(spec: ServerSpec) -> list[str]:
    lines = ['storage "raft" {', f"  path = {_q(spec.raft_path)}"]
    if spec.node_id:
        lines.append(f"  node_id = {_q(spec.node_id)}")
    lines.append(f"  performance_multiplier = {spec.performance_multiplier}")
    for key, value in (
        ("autopilot_reconcile_interval", spec.autopilot_reconcile_interval),
        ("autopilot_update_interval", spec.autopilot_update_interval),
    ):
        if value:
            lines.append(f"  {key} = {_q(value)}")
    for join in spec.retry_join:
        lines += [
            "  retry_join {",
            f"    leader_api_addr     = {_q(join.leader_api_addr)}",
            f"    leader_ca_cert_file = {_q(join.leader_ca_cert_file)}",
        ]
        if join.leader_tls_servername:
            lines.append(f"    leader_tls_servername = {_q(join.leader_tls_servername)}")
        lines.append("  }")
    return [*lines, "}"]


def render_server_hcl(spec: ServerSpec) -> str:
    """The server config file for one node (or for every pod, when node identity comes from the env)."""
    lines: list[str] = []
    if spec.node_id is None:
        lines.append("# node_id, api_addr and cluster_addr come from the pod's environment")
    for key, value in (("api_addr", spec.api_addr), ("cluster_addr", spec.cluster_addr)):
        if value:
            lines.append(f"{key} = {_q(value)}")
    lines.append(f"ui = {str(spec.ui).lower()}")
    if spec.flavour == "vault":
        # OpenBao 2.x dropped mlock and warns on the key; Vault on Kubernetes disables it because
        # swap is off on GKE nodes and mlock would need IPC_LOCK.
        lines.append(f"disable_mlock = {str(spec.disable_mlock).lower()}")
    if spec.plugin_directory:
        lines.append(f"plugin_directory = {_q(spec.plugin_directory)}")
    lines += [
        f"log_level = {_q(spec.log_level)}",
        'log_format = "json"',
        f'default_lease_ttl = "{spec.default_lease_ttl_seconds}s"',
        f'max_lease_ttl = "{spec.max_lease_ttl_seconds}s"',
        "",
        *_listener_block(spec),
        "",
        *_storage_block(spec),
        "",
        *_seal_block(spec.seal),
        "",
    ]
    if spec.kubernetes_service_registration:
        lines += ['service_registration "kubernetes" {}', ""]
    lines += [
        "telemetry {",
        f'  prometheus_retention_time = "{spec.prometheus_retention_seconds}s"',
        "  disable_hostname          = true",
        "}",
    ]
    if spec.flavour == "openbao" and spec.audit:
        lines += ["", *_audit_blocks(spec.audit)]
    return "\n".join(lines) + "\n"
