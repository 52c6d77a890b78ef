"""`VaultCluster`: the Vault server on the platform's GKE cluster, as one component."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from infra.cluster import tls_probe
from infra.cluster.ci_access import create_previewer_secret_access
from infra.cluster.injector.component import AgentInjector
from infra.cluster.namespace import create_namespace
from infra.cluster.networkpolicy import create_networkpolicies
from infra.cluster.pdb import create_pdb
from infra.cluster.rbac import create_rbac
from infra.cluster.server_config import create_configmap, pod_checksum, render
from infra.cluster.services import create_api_load_balancer, create_services
from infra.cluster.snapshot import create_cronjob
from infra.cluster.statefulset import create_statefulset
from infra.cluster.telemetry import create_telemetry
from infra.cluster.tls import create_tls
from infra.config import StackConfig
from infra.platform import GcpPlatform
from infra.platform.gke import cluster_resource_id
from infra.platform.lb import api_address_name


class VaultCluster(pulumi.ComponentResource):
    """Namespace, TLS, server config, StatefulSet, Services (the API's internal load balancer among them),
    PDB, NetworkPolicies, telemetry and the snapshot CronJob, applied through a Kubernetes provider built
    from the platform's GKE cluster."""

    def __init__(
        self, name: str, cfg: StackConfig, platform: GcpPlatform, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("vault-platform:cluster:VaultCluster", name, None, opts)
        self.provider = k8s.Provider(
            "gke",
            kubeconfig=platform.kubeconfig,
            # Replace the provider (and with it every object it manages) only if the cluster itself
            # changes; a new endpoint or credential in the kubeconfig (e.g. moving to the DNS endpoint)
            # is an update, not a reason to re-create the namespace and the StatefulSet.
            cluster_identifier=cluster_resource_id(cfg),
            # Field ownership is tracked server-side, so out-of-band kubectl edits surface as conflicts.
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[platform.gke.node_pool]),
        )
        plain = pulumi.ResourceOptions(parent=self)
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=self.provider)

        self.namespace = create_namespace(cfg, k8s_opts)
        # Every object has a fixed name: a replacement must delete the old one before creating the new.
        in_ns = pulumi.ResourceOptions.merge(
            k8s_opts, pulumi.ResourceOptions(depends_on=[self.namespace], delete_before_replace=True)
        )
        self.tls = create_tls(cfg, plain, in_ns)
        # The annotations name the Google accounts: from their outputs, so they wait for the accounts.
        self.rbac = create_rbac(cfg, platform.vault_identity.email, platform.snapshot_identity.email, in_ns)
        self.hcl = render(cfg)
        self.configmap = create_configmap(cfg, self.hcl, in_ns)
        probe_config = tls_probe.blackbox_config(cfg) if tls_probe.enabled(cfg) else ""
        self.probe_configmap = tls_probe.create_config_map(cfg, in_ns) if tls_probe.enabled(cfg) else None
        self.services = create_services(cfg, in_ns)
        self.api_load_balancer = create_api_load_balancer(
            cfg, platform.api_address, api_address_name(cfg), in_ns
        )
        self.pdb = create_pdb(cfg, in_ns)
        self.networkpolicies = create_networkpolicies(cfg, in_ns)
        checksum = pulumi.Output.all(self.tls.node_cert_pem, self.tls.ca_cert_pem).apply(
            lambda pems: pod_checksum(
                {"server.hcl": self.hcl, "tls.crt": pems[0], "ca.crt": pems[1], "tls-probe": probe_config}
            )
        )
        mounted = [self.tls.secret, self.tls.ca_secret, self.configmap]
        if self.probe_configmap is not None:
            mounted.append(self.probe_configmap)
        self.statefulset = create_statefulset(
            cfg,
            checksum,
            pulumi.ResourceOptions.merge(
                in_ns,
                pulumi.ResourceOptions(depends_on=[*mounted, *self.rbac, *platform.vault_dependencies]),
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
        # Secrets into pods: the agent injector, its webhook only on the catalog's service namespaces.
        self.injector = (
            AgentInjector("injector", cfg, platform, self.provider, self.ca_certificate, plain)
            if cfg.injector.enabled
            else None
        )
        # The previewer's refresh GETs these Secrets; container.viewer cannot (ci_access.py).
        namespaces = {cfg.cluster.namespace: self.namespace}
        if self.injector is not None:
            namespaces[cfg.injector.namespace] = self.injector.namespace
        self.ci_access = create_previewer_secret_access(
            cfg, platform.ci.previewer_email, namespaces, k8s_opts
        )
        self.register_outputs({"caCertificate": self.ca_certificate})
