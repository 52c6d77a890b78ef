"""`AgentInjector`: the Vault Agent Injector on the stack's GKE cluster, as one component."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from infra.cluster.injector.ca_bundle import create_ca_secrets
from infra.cluster.injector.deployment import cert_checksum, create_deployment
from infra.cluster.injector.firewall import create_firewall
from infra.cluster.injector.namespace import create_namespace
from infra.cluster.injector.networkpolicy import create_networkpolicy
from infra.cluster.injector.rbac import create_rbac
from infra.cluster.injector.service import create_pdb, create_service
from infra.cluster.injector.tls import create_webhook_tls
from infra.cluster.injector.webhook import create_webhook
from infra.config import StackConfig
from infra.platform import GcpPlatform


class AgentInjector(pulumi.ComponentResource):
    """Namespace, webhook TLS, RBAC, Deployment, Service, PDB, NetworkPolicy, the GKE firewall rule, the
    Vault CA in each service namespace and, last, the MutatingWebhookConfiguration (registered once
    the injector can answer, so no pod creation waits on a webhook that is not there yet)."""

    def __init__(
        self,
        name: str,
        cfg: StackConfig,
        platform: GcpPlatform,
        provider: k8s.Provider,
        vault_ca_pem: pulumi.Output[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("vault-platform:cluster:AgentInjector", name, None, opts)
        plain = pulumi.ResourceOptions(parent=self)
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=provider)
        self.firewall = create_firewall(cfg, platform, plain)
        fixed_names = pulumi.ResourceOptions.merge(
            k8s_opts, pulumi.ResourceOptions(delete_before_replace=True)
        )
        self.namespace = create_namespace(cfg, fixed_names)
        in_ns = pulumi.ResourceOptions.merge(
            k8s_opts, pulumi.ResourceOptions(depends_on=[self.namespace], delete_before_replace=True)
        )
        self.tls = create_webhook_tls(cfg, plain, in_ns)
        self.rbac = create_rbac(cfg, in_ns)
        self.service = create_service(cfg, in_ns)
        self.pdb = create_pdb(cfg, in_ns)
        self.networkpolicy = create_networkpolicy(cfg, in_ns)
        self.deployment = create_deployment(
            cfg,
            self.tls.cert_pem.apply(cert_checksum),
            pulumi.ResourceOptions.merge(
                in_ns, pulumi.ResourceOptions(depends_on=[self.tls.secret, *self.rbac])
            ),
        )
        self.ca_secrets = create_ca_secrets(cfg, vault_ca_pem, fixed_names)
        self.webhook = create_webhook(
            cfg,
            self.tls.ca_cert_pem,
            pulumi.ResourceOptions.merge(
                fixed_names,
                pulumi.ResourceOptions(
                    depends_on=[
                        self.deployment,
                        self.service,
                        self.networkpolicy,
                        self.firewall,
                        *self.ca_secrets,
                    ]
                ),
            ),
        )
        self.register_outputs({"webhook": self.webhook.metadata})
