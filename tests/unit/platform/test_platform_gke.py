"""The private GKE cluster, its node pool across the zones, and the network under it."""

from __future__ import annotations

import pytest
import yaml

from infra.harness import unwrap
from infra.platform.gke import nodes_per_zone
from tests.unit.gke_fixtures import FAKE_DNS_ENDPOINT

CLUSTER = "gcp:container/cluster:Cluster"
POOL = "gcp:container/nodePool:NodePool"


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_cluster_is_private_with_workload_identity_and_network_policy(program, one, config, stack):
    cfg = config(stack)
    c = one(program(stack), CLUSTER).inputs
    assert c["privateClusterConfig"]["enablePrivateNodes"] is True
    assert c["privateClusterConfig"]["enablePrivateEndpoint"] is True
    assert c["workloadIdentityConfig"] == {"workloadPool": f"{cfg.gcp.project}.svc.id.goog"}
    assert c["datapathProvider"] == "ADVANCED_DATAPATH"
    assert c["enableShieldedNodes"] is True
    assert c["releaseChannel"] == {"channel": cfg.gcp.release_channel}
    assert c["deletionProtection"] is True
    assert c["removeDefaultNodePool"] is True
    assert c["monitoringConfig"]["managedPrometheus"]["enabled"] is True
    blocks = [b["cidrBlock"] for b in c["masterAuthorizedNetworksConfig"]["cidrBlocks"]]
    assert blocks == cfg.gcp.master_authorized_cidrs
    assert c["masterAuthorizedNetworksConfig"]["gcpPublicCidrsAccessEnabled"] is False


@pytest.mark.parametrize(("stack", "per_zone"), [("prod", 2), ("staging", 1)])
def test_node_pool_spans_the_zones_with_a_node_per_pod(program, one, config, stack, per_zone):
    cfg = config(stack)
    pool = one(program(stack), POOL).inputs
    assert pool["nodeLocations"] == cfg.cluster.zones
    assert len(set(pool["nodeLocations"])) == 3
    assert pool["initialNodeCount"] == per_zone
    # hard per-host anti-affinity: at least one node per Vault pod
    assert pool["autoscaling"]["minNodeCount"] * len(cfg.cluster.zones) >= cfg.cluster.nodes
    node = pool["nodeConfig"]
    assert node["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
    assert node["shieldedInstanceConfig"] == {"enableSecureBoot": True, "enableIntegrityMonitoring": True}
    assert node["serviceAccount"] == f"vault-gke-nodes@{cfg.gcp.project}.iam.gserviceaccount.com"
    assert pool["upgradeSettings"] == {"maxSurge": 1, "maxUnavailable": 0}


def test_nodes_per_zone():
    assert [nodes_per_zone(n, 3) for n in (3, 5, 7)] == [1, 2, 3]


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_kubernetes_provider_uses_the_exec_plugin_not_a_static_credential(program, one, stack):
    provider = one(program(stack), "pulumi:providers:kubernetes").inputs
    kubeconfig = yaml.safe_load(unwrap(provider["kubeconfig"]))
    # the DNS-based endpoint (IAM-authorized, publicly trusted certificate), not the private IP
    assert kubeconfig["clusters"][0]["cluster"] == {"server": f"https://{FAKE_DNS_ENDPOINT}"}
    user = kubeconfig["users"][0]["user"]
    assert set(user) == {"exec"}
    assert user["exec"]["command"] == "gke-gcloud-auth-plugin"
    # application default credentials (the WIF file google-github-actions/auth writes), not a gcloud
    # CLI shell-out: the runner needs the plugin binary only
    assert user["exec"]["args"] == ["--use_application_default_credentials"]


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_network_has_pod_and_service_ranges_and_nat(program, one, config, stack):
    g = config(stack).gcp
    resources = program(stack)
    subnet = one(resources, "gcp:compute/subnetwork:Subnetwork").inputs
    assert subnet["privateIpGoogleAccess"] is True
    assert {r["rangeName"]: r["ipCidrRange"] for r in subnet["secondaryIpRanges"]} == {
        "pods": g.pods_cidr,
        "services": g.services_cidr,
    }
    assert one(resources, "gcp:compute/network:Network").inputs["autoCreateSubnetworks"] is False
    assert one(resources, "gcp:compute/routerNat:RouterNat").inputs["natIpAllocateOption"] == "AUTO_ONLY"


def test_local_stack_declares_no_platform_or_cluster_resource(program):
    types = {r.type for r in program("local")}
    assert not {t for t in types if t.split(":")[0] in ("gcp", "kubernetes", "tls")}
    assert not {
        t for t in types if t.startswith("vault-platform:platform") or t.startswith("vault-platform:cluster")
    }
