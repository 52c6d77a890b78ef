"""The cluster's TLS: a CA and one node certificate, made with pulumi-tls; private keys stay secrets.

One certificate for every pod keeps `retry_join` simple: each peer's `leader_tls_servername` is that
pod's DNS name, a SAN of this certificate (a mismatch is the top recurring join failure,
hashicorp/vault#10153, #11189).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s
import pulumi_tls as tls

from infra.cluster.layout import (
    ACTIVE_SERVICE,
    CA_SECRET,
    CLIENT_SERVICE,
    HEADLESS_SERVICE,
    STANDBY_SERVICE,
    TLS_SECRET,
    external_host,
    metadata,
    pod_host,
    pod_names,
    service_host,
)
from infra.cluster.object_meta import object_meta
from infra.config import StackConfig

CA_VALIDITY_HOURS = 5 * 8760
# Re-issued by the next `pulumi up` once inside this window; the drift job's preview shows it coming.
EARLY_RENEWAL_HOURS = 30 * 24
IP_SANS = ("127.0.0.1",)


def node_dns_names(cfg: StackConfig) -> list[str]:
    """Every name a client or peer may dial: each pod, the services (short and `.svc` forms), the
    external address, and localhost for the in-pod CLI."""
    ns = cfg.cluster.namespace
    names: list[str] = []
    for pod in pod_names(cfg):
        names += [f"{pod}.{HEADLESS_SERVICE}", pod_host(cfg, pod), f"{pod_host(cfg, pod)}.cluster.local"]
    for service in (CLIENT_SERVICE, ACTIVE_SERVICE, STANDBY_SERVICE, HEADLESS_SERVICE):
        names += [
            service,
            f"{service}.{ns}",
            service_host(cfg, service),
            f"{service_host(cfg, service)}.cluster.local",
        ]
    external = external_host(cfg)
    if external:
        names.append(external)
    names.append("localhost")
    return list(dict.fromkeys(names))


@dataclass(frozen=True)
class Tls:
    ca_cert_pem: pulumi.Output[str]
    # Public; changes whenever the certificate is re-issued (new key, new SANs, renewal): the pods'
    # checksum covers it, so a renewal is rolled out like a config change.
    node_cert_pem: pulumi.Output[str]
    secret: k8s.core.v1.Secret
    ca_secret: k8s.core.v1.Secret


def create_tls(cfg: StackConfig, opts: pulumi.ResourceOptions, k8s_opts: pulumi.ResourceOptions) -> Tls:
    # ECDSA P-256: what the local cluster proves works, and cheap handshakes.
    ca_key = tls.PrivateKey("ca-key", algorithm="ECDSA", ecdsa_curve="P256", opts=opts)
    ca = tls.SelfSignedCert(
        "ca",
        private_key_pem=ca_key.private_key_pem,
        is_ca_certificate=True,
        subject=tls.SelfSignedCertSubjectArgs(
            common_name=f"vault-{cfg.environment} CA", organization="vault-platform"
        ),
        validity_period_hours=CA_VALIDITY_HOURS,
        early_renewal_hours=EARLY_RENEWAL_HOURS,
        allowed_uses=["cert_signing", "crl_signing"],
        opts=opts,
    )
    node_key = tls.PrivateKey("node-key", algorithm="ECDSA", ecdsa_curve="P256", opts=opts)
    request = tls.CertRequest(
        "node-csr",
        private_key_pem=node_key.private_key_pem,
        subject=tls.CertRequestSubjectArgs(common_name=service_host(cfg, CLIENT_SERVICE)),
        dns_names=node_dns_names(cfg),
        ip_addresses=list(IP_SANS),
        opts=opts,
    )
    node = tls.LocallySignedCert(
        "node-cert",
        cert_request_pem=request.cert_request_pem,
        ca_private_key_pem=ca_key.private_key_pem,
        ca_cert_pem=ca.cert_pem,
        validity_period_hours=cfg.cluster.tls.cert_validity_hours,
        early_renewal_hours=min(EARLY_RENEWAL_HOURS, cfg.cluster.tls.cert_validity_hours // 2),
        allowed_uses=["digital_signature", "key_encipherment", "server_auth", "client_auth"],
        opts=opts,
    )
    secret = k8s.core.v1.Secret(
        "tls",
        metadata=object_meta(metadata(cfg, TLS_SECRET)),
        type="kubernetes.io/tls",
        # pulumi-tls marks the keys secret already; wrapping the whole map keeps it secret in the
        # Secret's inputs and state even if that ever changes.
        string_data=pulumi.Output.secret(
            {"tls.crt": node.cert_pem, "tls.key": node_key.private_key_pem, "ca.crt": ca.cert_pem}
        ),
        opts=pulumi.ResourceOptions.merge(
            k8s_opts, pulumi.ResourceOptions(additional_secret_outputs=["data", "stringData"])
        ),
    )
    # The CA only, for readers that verify the listener but must not see tls.key (the GMP collector).
    ca_secret = k8s.core.v1.Secret(
        "ca",
        metadata=object_meta(metadata(cfg, CA_SECRET)),
        type="Opaque",
        string_data={"ca.crt": ca.cert_pem},
        opts=k8s_opts,
    )
    return Tls(ca.cert_pem, node.cert_pem, secret, ca_secret)
