"""The webhook's TLS, as code: its own CA and serving certificate (pulumi-tls), the API server trusting
that CA through the webhook's `caBundle`. No `AGENT_INJECT_TLS_AUTO`: the injector never generates a
certificate or patches its own MutatingWebhookConfiguration, so it needs no write access to it.

A separate CA from Vault's: the API server is told to trust this one for this webhook only.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s
import pulumi_tls as tls

from infra.cluster.injector.layout import SERVICE, TLS_SECRET, metadata, service_hosts
from infra.cluster.object_meta import object_meta
from infra.config import StackConfig

CA_VALIDITY_HOURS = 5 * 8760
CERT_VALIDITY_HOURS = 8760
# Re-issued by the `pulumi up` after it enters this window; the rollout follows the pod checksum.
EARLY_RENEWAL_HOURS = 30 * 24


def ca_bundle(ca_pem: str | None) -> str:
    """`clientConfig.caBundle`: the PEM, base64-encoded (admissionregistration.k8s.io/v1); empty while
    the CA is not known yet (a preview of a first deployment)."""
    return base64.b64encode((ca_pem or "").encode()).decode()


@dataclass(frozen=True)
class WebhookTls:
    ca_cert_pem: pulumi.Output[str]
    cert_pem: pulumi.Output[str]
    secret: k8s.core.v1.Secret


def create_webhook_tls(
    cfg: StackConfig, opts: pulumi.ResourceOptions, k8s_opts: pulumi.ResourceOptions
) -> WebhookTls:
    ca_key = tls.PrivateKey("injector-ca-key", algorithm="ECDSA", ecdsa_curve="P256", opts=opts)
    ca = tls.SelfSignedCert(
        "injector-ca",
        private_key_pem=ca_key.private_key_pem,
        is_ca_certificate=True,
        subject=tls.SelfSignedCertSubjectArgs(
            common_name=f"vault-agent-injector-{cfg.environment} CA", organization="vault-platform"
        ),
        validity_period_hours=CA_VALIDITY_HOURS,
        early_renewal_hours=EARLY_RENEWAL_HOURS,
        allowed_uses=["cert_signing", "crl_signing"],
        opts=opts,
    )
    key = tls.PrivateKey("injector-key", algorithm="ECDSA", ecdsa_curve="P256", opts=opts)
    request = tls.CertRequest(
        "injector-csr",
        private_key_pem=key.private_key_pem,
        subject=tls.CertRequestSubjectArgs(common_name=f"{SERVICE}.{cfg.injector.namespace}.svc"),
        dns_names=service_hosts(cfg),
        opts=opts,
    )
    cert = tls.LocallySignedCert(
        "injector-cert",
        cert_request_pem=request.cert_request_pem,
        ca_private_key_pem=ca_key.private_key_pem,
        ca_cert_pem=ca.cert_pem,
        validity_period_hours=CERT_VALIDITY_HOURS,
        early_renewal_hours=EARLY_RENEWAL_HOURS,
        allowed_uses=["digital_signature", "key_encipherment", "server_auth"],
        opts=opts,
    )
    secret = k8s.core.v1.Secret(
        "injector-tls",
        metadata=object_meta(metadata(cfg, TLS_SECRET)),
        type="kubernetes.io/tls",
        string_data=pulumi.Output.secret({"tls.crt": cert.cert_pem, "tls.key": key.private_key_pem}),
        opts=pulumi.ResourceOptions.merge(
            k8s_opts, pulumi.ResourceOptions(additional_secret_outputs=["data", "stringData"])
        ),
    )
    return WebhookTls(ca.cert_pem, cert.cert_pem, secret)
