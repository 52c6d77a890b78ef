"""The private GKE cluster and its node pool spread over the stack's zones."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
import yaml

from infra.config import StackConfig
from infra.platform.identity import NODE_GSA_ID, account_email, account_member
from infra.platform.network import PODS_RANGE, SERVICES_RANGE, Network

# The least-privilege role GKE documents for node service accounts (logs, metrics, image pulls), instead
# of the Compute Engine default account, which holds Editor on the project.
NODE_ROLE = "roles/container.defaultNodeServiceAccount"
AUTH_PLUGIN = "gke-gcloud-auth-plugin"
ADC_FLAG = "--use_application_default_credentials"


def cluster_name(cfg: StackConfig) -> str:
    return f"vault-{cfg.environment}"


def cluster_resource_id(cfg: StackConfig) -> str:
    """The cluster's identity as GKE names it; known from config, so stable across endpoint changes."""
    assert cfg.gcp is not None
    return f"projects/{cfg.gcp.project}/locations/{cfg.gcp.region}/clusters/{cluster_name(cfg)}"


def nodes_per_zone(pods: int, zones: int) -> int:
    """Hard per-host anti-affinity needs a node per pod: enough nodes in each zone for its share of pods
    under a zone-spread skew of 1 (5 pods over 3 zones: 2, 2, 1)."""
    return math.ceil(pods / zones)


@dataclass(frozen=True)
class Gke:
    cluster: gcp.container.Cluster
    node_pool: gcp.container.NodePool
    node_account: gcp.serviceaccount.Account
    kubeconfig: pulumi.Output[str]


def kubeconfig(name: str, endpoint: str | None, ca_certificate_b64: str | None = None) -> str:
    """A kubeconfig that authenticates with the caller's Google credentials through the
    `gke-gcloud-auth-plugin` exec plugin: no static token or client certificate lands in state.

    Without a CA the server's certificate is checked against the system roots (the DNS endpoint's)."""
    user = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": AUTH_PLUGIN,
            # Without it the plugin shells out to `gcloud config config-helper` for a token; with it the
            # plugin reads application default credentials, i.e. the file google-github-actions/auth
            # writes (the flag: kubernetes/cloud-provider-gcp cmd/gke-gcloud-auth-plugin/cred.go,
            # `use_application_default_credentials`). The workflows install the plugin (WF-GKE-AUTH).
            "args": [ADC_FLAG],
            "provideClusterInfo": True,
            "interactiveMode": "Never",
        }
    }
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": name,
                "cluster": {
                    "server": f"https://{endpoint}",
                    **({"certificate-authority-data": ca_certificate_b64} if ca_certificate_b64 else {}),
                },
            }
        ],
        "users": [{"name": name, "user": user}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
        "current-context": name,
    }
    return yaml.safe_dump(document, sort_keys=False)


def create_gke(cfg: StackConfig, network: Network, opts: pulumi.ResourceOptions) -> Gke:
    assert cfg.gcp is not None
    g, zones = cfg.gcp, cfg.cluster.zones
    name = cluster_name(cfg)
    fixed = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(delete_before_replace=True))
    # The cluster and its only node pool carry every Raft voter: the engine must never replace or delete
    # them (a pool replacement takes every node at once). Changes that need a new pool: add a second
    # pool, drain the old one node by node (the PDB holds quorum), then remove it.
    stateful = pulumi.ResourceOptions.merge(fixed, pulumi.ResourceOptions(protect=True))
    node_account = gcp.serviceaccount.Account(
        "gke-nodes",
        project=g.project,
        account_id=NODE_GSA_ID,
        display_name="GKE nodes of the Vault cluster",
        opts=fixed,
    )
    # From the account's outputs, so the role grant, the cluster and the pool wait for the account.
    node_email = account_email(node_account)
    node_role = gcp.projects.IAMMember(
        "gke-nodes-role",
        project=g.project,
        role=NODE_ROLE,
        member=account_member(node_account),
        opts=opts,
    )
    # Both the cluster's (removed) default pool and the Vault pool run as the node account; IAM, not
    # OAuth scopes, limits what it can do.
    node_scopes = ["https://www.googleapis.com/auth/cloud-platform"]
    cluster = gcp.container.Cluster(
        "gke",
        project=g.project,
        name=name,
        location=g.region,
        node_locations=zones,
        network=network.network.id,
        subnetwork=network.subnet.id,
        networking_mode="VPC_NATIVE",
        ip_allocation_policy=gcp.container.ClusterIpAllocationPolicyArgs(
            cluster_secondary_range_name=PODS_RANGE, services_secondary_range_name=SERVICES_RANGE
        ),
        # Private nodes and a private IP endpoint, reachable from the VPC's authorized ranges only.
        private_cluster_config=gcp.container.ClusterPrivateClusterConfigArgs(
            enable_private_nodes=True, enable_private_endpoint=True, master_ipv4_cidr_block=g.master_cidr
        ),
        # How CI and operators outside the VPC reach the control plane: GKE's DNS-based endpoint. Every
        # request is authorized by IAM (`container.clusters.connect`) before it reaches the API server,
        # then by Kubernetes RBAC; no network path into the VPC is needed, so `pulumi up` from a hosted
        # runner can apply the Kubernetes layer of the same stack once the cluster exists.
        control_plane_endpoints_config=gcp.container.ClusterControlPlaneEndpointsConfigArgs(
            dns_endpoint_config=gcp.container.ClusterControlPlaneEndpointsConfigDnsEndpointConfigArgs(
                allow_external_traffic=True
            )
        ),
        master_authorized_networks_config=gcp.container.ClusterMasterAuthorizedNetworksConfigArgs(
            cidr_blocks=[
                gcp.container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs(
                    cidr_block=cidr, display_name=f"authorized-{i}"
                )
                for i, cidr in enumerate(g.master_authorized_cidrs)
            ],
            gcp_public_cidrs_access_enabled=False,
        ),
        workload_identity_config=gcp.container.ClusterWorkloadIdentityConfigArgs(
            workload_pool=f"{g.project}.svc.id.goog"
        ),
        release_channel=gcp.container.ClusterReleaseChannelArgs(channel=g.release_channel),
        # Dataplane V2 (Cilium) enforces the Vault NetworkPolicy.
        datapath_provider="ADVANCED_DATAPATH",
        enable_shielded_nodes=True,
        enable_legacy_abac=False,
        monitoring_config=gcp.container.ClusterMonitoringConfigArgs(
            enable_components=["SYSTEM_COMPONENTS"],
            managed_prometheus=gcp.container.ClusterMonitoringConfigManagedPrometheusArgs(enabled=True),
        ),
        logging_config=gcp.container.ClusterLoggingConfigArgs(
            enable_components=["SYSTEM_COMPONENTS", "WORKLOADS"]  # WORKLOADS carries the stdout audit log
        ),
        # The default pool is replaced by the pool below; it must still not run as the default account.
        remove_default_node_pool=True,
        initial_node_count=1,
        node_config=gcp.container.ClusterNodeConfigArgs(
            service_account=node_email,
            oauth_scopes=node_scopes,
            workload_metadata_config=gcp.container.ClusterNodeConfigWorkloadMetadataConfigArgs(
                mode="GKE_METADATA"
            ),
        ),
        deletion_protection=True,
        opts=pulumi.ResourceOptions.merge(
            stateful,
            pulumi.ResourceOptions(
                depends_on=[node_role],
                # With remove_default_node_pool, GKE reports the removed default pool's node_config
                # back on the cluster: not drift, and never a reason to replace the cluster.
                ignore_changes=["nodeConfig"],
            ),
        ),
    )
    per_zone = nodes_per_zone(cfg.cluster.nodes, len(zones))
    node_pool = gcp.container.NodePool(
        "vault-nodes",
        project=g.project,
        name="vault",
        cluster=cluster.name,
        location=g.region,
        node_locations=zones,
        initial_node_count=per_zone,
        # One spare per zone lets the autoscaler place a Vault pod whose node died (hard anti-affinity).
        autoscaling=gcp.container.NodePoolAutoscalingArgs(
            min_node_count=per_zone, max_node_count=per_zone + 1
        ),
        management=gcp.container.NodePoolManagementArgs(auto_repair=True, auto_upgrade=True),
        # Surge first, never take a node away before its replacement is up.
        upgrade_settings=gcp.container.NodePoolUpgradeSettingsArgs(max_surge=1, max_unavailable=0),
        node_config=gcp.container.NodePoolNodeConfigArgs(
            service_account=node_email,
            oauth_scopes=node_scopes,
            machine_type=g.machine_type,
            image_type="COS_CONTAINERD",
            disk_type="pd-balanced",
            metadata={"disable-legacy-endpoints": "true"},
            # Pods see the GKE metadata server (Workload Identity), never the node's credentials.
            workload_metadata_config=gcp.container.NodePoolNodeConfigWorkloadMetadataConfigArgs(
                mode="GKE_METADATA"
            ),
            shielded_instance_config=gcp.container.NodePoolNodeConfigShieldedInstanceConfigArgs(
                enable_secure_boot=True, enable_integrity_monitoring=True
            ),
            labels={"workload": "vault"},
        ),
        opts=stateful,
    )
    dns_endpoint = cluster.control_plane_endpoints_config.apply(
        lambda c: c.dns_endpoint_config.endpoint if c and c.dns_endpoint_config else None
    )
    config = pulumi.Output.all(cluster.name, dns_endpoint).apply(
        lambda args: kubeconfig(f"gke_{g.project}_{g.region}_{args[0]}", args[1])
    )
    return Gke(cluster, node_pool, node_account, config)
