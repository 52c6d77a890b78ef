"""`VaultCluster`: the Vault server on the platform's GKE cluster, as one component."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from infra.cluster.namespace import create_namespace
from infra.cluster.networkpolicy import create_networkpolicy
from infra.cluster.pdb import create_pdb
from infra.cluster.rbac import create_rbac
from infra.cluster.server_config import config_checksum, create_configmap, render
from infra.cluster.services import create_services
from infra.cluster.snapshot import create_cronjob
from infra.cluster.statefulset import create_statefulset
from infra.cluster.telemetry import create_telemetry
from infra.cluster.tls import create_tls
from infra.config import StackConfig
from infra.platform import GcpPlatform


class VaultCluster(pulumi.ComponentResource):
    """Namespace, TLS, server config, StatefulSet, Services, PDB, NetworkPolicy, telemetry and the
    snapshot CronJob, applied through a Kubernetes provider built from the platform's GKE cluster."""

    def __init__(
        self, name: str, cfg: StackConfig, platform: GcpPlatform, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("vault-platform:cluster:VaultCluster", name, None, opts)
        self.provider = k8s.Provider(
            "gke",
            kubeconfig=platform.kubeconfig,
            # Field ownership is tracked server-side, so out-of-band kubectl edits surface as conflicts.
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[platform.gke.node_pool]),
        )
        plain = pulumi.ResourceOptions(parent=self)
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=self.provider)

        self.namespace = create_namespace(cfg, k8s_opts)
        in_ns = pulumi.ResourceOptions.merge(k8s_opts, pulumi.ResourceOptions(depends_on=[self.namespace]))
        self.tls = create_tls(cfg, plain, in_ns)
        # The annotations name the Google accounts: from their outputs, so they wait for the accounts.
        self.rbac = create_rbac(cfg, platform.vault_identity.email, platform.snapshot_identity.email, in_ns)
        self.hcl = render(cfg)
        self.configmap = create_configmap(cfg, self.hcl, in_ns)
        self.services = create_services(cfg, in_ns)
        self.pdb = create_pdb(cfg, in_ns)
        self.networkpolicy = create_networkpolicy(cfg, in_ns)
        self.statefulset = create_statefulset(
            cfg,
            config_checksum(self.hcl),
            pulumi.ResourceOptions.merge(
                in_ns,
                pulumi.ResourceOptions(
                    depends_on=[self.tls.secret, self.configmap, *self.rbac, *platform.vault_dependencies]
                ),
            ),
        )
        self.telemetry = create_telemetry(cfg, in_ns)
        self.snapshot = create_cronjob(
            cfg,
            platform.bucket_name,
            pulumi.ResourceOptions.merge(
                in_ns, pulumi.ResourceOptions(depends_on=[*self.rbac, *platform.snapshot_dependencies])
            ),
        )
        self.ca_certificate: pulumi.Output[str] = self.tls.ca_cert_pem
        self.register_outputs({"caCertificate": self.ca_certificate})
