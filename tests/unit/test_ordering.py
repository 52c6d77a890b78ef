"""Ordering and drift hygiene (issue 11, item 5), as the engine would act on it: the Vault layer waits for
the way in to exist, stateful resources are protected, fixed-name resources are deleted before they are
re-created, and GKE's reported `node_config` is not drift."""

from __future__ import annotations

from typing import Any

import pytest

from infra.harness import DeclaredResource

GKE_STACKS = ["prod", "staging"]


def _one(resources: list[DeclaredResource], type_token: str, name: str | None = None) -> DeclaredResource:
    found = [r for r in resources if r.type == type_token and (name is None or r.name == name)]
    assert len(found) == 1, f"{type_token} {name}: {[r.name for r in found]}"
    return found[0]


@pytest.mark.parametrize("stack", GKE_STACKS)
def test_vault_layer_waits_for_the_cluster_and_the_way_in(declared, stack):
    resources = declared(stack)
    provider = _one(resources, "pulumi:providers:vault")
    needed = [
        _one(resources, "kubernetes:apps/v1:StatefulSet"),
        _one(resources, "gcp:dns/recordSet:RecordSet"),
        *[
            r
            for r in resources
            if r.type == "kubernetes:core/v1:Service" and r.inputs["spec"].get("type") == "LoadBalancer"
        ],
    ]
    assert len(needed) == 3
    for resource in needed:
        assert resource.urn in provider.dependencies, resource.name
    # every Vault-layer resource goes through that provider, so none can be written before the cluster
    vault_resources = [r for r in resources if r.type.startswith("vault:")]
    assert vault_resources
    assert {r.provider_urn for r in vault_resources} == {provider.urn}


@pytest.mark.parametrize("stack", GKE_STACKS)
def test_gke_reported_node_config_is_not_drift(declared, stack):
    cluster = _one(declared(stack), "gcp:container/cluster:Cluster")
    # remove_default_node_pool: GKE reports the (deleted) default pool's node_config back on the cluster
    assert cluster.inputs["removeDefaultNodePool"] is True
    assert "nodeConfig" in cluster.ignore_changes


STATEFUL_GCP_K8S = {
    ("gcp:kms/keyRing:KeyRing", "unseal-key-ring"),
    ("gcp:kms/cryptoKey:CryptoKey", "unseal-key"),
    ("gcp:storage/bucket:Bucket", "snapshots"),
    ("gcp:container/cluster:Cluster", "gke"),
    ("gcp:container/nodePool:NodePool", "vault-nodes"),
    ("kubernetes:core/v1:Namespace", "namespace"),
    ("kubernetes:apps/v1:StatefulSet", "statefulset"),
}


@pytest.mark.parametrize("stack", GKE_STACKS)
def test_stateful_platform_and_cluster_resources_are_protected(declared, stack):
    resources = {(r.type, r.name): r for r in declared(stack)}
    for key in STATEFUL_GCP_K8S:
        assert resources[key].protect, key
    # and the check can fail: a stateless object is recorded unprotected
    assert not resources[("kubernetes:policy/v1:PodDisruptionBudget", "pdb")].protect


@pytest.mark.parametrize("stack", ["prod", "staging", "local"])
def test_vault_mounts_and_transit_keys_are_protected(declared, stack):
    resources = declared(stack)
    mounts = [r for r in resources if r.type == "vault:index/mount:Mount"]
    keys = [r for r in resources if r.type == "vault:transit/secretBackendKey:SecretBackendKey"]
    assert {m.inputs["type"] for m in mounts} >= {"kv", "transit", "database"}
    assert keys
    for resource in [*mounts, *keys]:
        assert resource.protect, resource.name


def _fixed_name(resource: DeclaredResource) -> Any:
    inputs = resource.inputs
    if resource.type.startswith("kubernetes:"):
        return (inputs.get("metadata") or {}).get("name")
    return inputs.get("name") or inputs.get("accountId")


# Modules of this layer's owners; KMS, identities and the bucket follow in their own modules.
OWN_PREFIXES = ("gcp:compute/", "gcp:dns/", "gcp:container/", "kubernetes:")
OWN_ACCOUNTS = {"gke-nodes"}


@pytest.mark.parametrize("stack", GKE_STACKS)
def test_fixed_names_are_deleted_before_they_are_recreated(declared, stack):
    checked = 0
    for r in declared(stack):
        if not (r.type.startswith(OWN_PREFIXES) or r.name in OWN_ACCOUNTS) or not _fixed_name(r):
            continue
        # A create-before-delete replacement of a fixed name collides with the old object; protected
        # resources are never replaced by the engine at all.
        assert r.delete_before_replace or r.protect, f"{r.type} {r.name}"
        checked += 1
    assert checked >= 25
