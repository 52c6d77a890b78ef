"""Component wiring: every cloud, Kubernetes and TLS resource is a child of its layer's component, and
every namespaced Kubernetes object names the Vault namespace (never the provider's default). The agent
injector is a component of the cluster layer; its objects name its own namespace or, for the Vault CA,
a service namespace."""

from __future__ import annotations

import pytest

LAYERS = {
    "gcp": "GcpPlatform",
    "kubernetes": "VaultCluster",
    "tls": "VaultCluster",
    "pulumi:providers:kubernetes": "VaultCluster",
}


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_every_resource_is_parented_by_its_component(program, stack):
    resources = program(stack)
    components = {r.urn: r.type.rsplit(":", 1)[-1] for r in resources if not r.custom}
    parents = {r.urn: r.parent for r in resources if not r.custom}
    checked = 0
    for r in resources:
        layer = LAYERS.get(r.type) or LAYERS.get(r.type.split(":", 1)[0])
        if layer is None or r.type.startswith("pulumi:providers:vault"):
            continue
        parent = r.parent
        if components.get(parent) == "AgentInjector":
            assert components.get(parents[parent]) == "VaultCluster", f"{r.type} {r.name}"
            parent = parents[parent]
        elif r.type.startswith("gcp:") and components.get(parent) == "AgentInjector":
            parent = parents[parent]
        assert components.get(parent) == layer or (
            r.name.startswith("injector") and layer == "GcpPlatform"
        ), f"{r.type} {r.name} parent={r.parent}"
        checked += 1
    assert checked >= 45


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_kubernetes_objects_name_the_vault_namespace(program, config, stack):
    cfg = config(stack)
    ns = cfg.cluster.namespace
    resources = program(stack)
    injector = {r.urn for r in resources if r.type.endswith(":AgentInjector")}
    for r in resources:
        kind = r.type.rsplit(":", 1)[-1]
        cluster_wide = ("Namespace", "ClusterRoleBinding", "ClusterRole", "MutatingWebhookConfiguration")
        if not r.type.startswith("kubernetes:") or kind in cluster_wide:
            continue
        if r.parent in injector:
            expected = (
                cfg.service_namespaces() if r.name.startswith("vault-ca-") else [cfg.injector.namespace]
            )
            assert r.inputs["metadata"]["namespace"] in expected, r.name
            continue
        if r.name.startswith("ci-previewer-secret-reader"):  # one per namespace holding declared Secrets
            assert r.inputs["metadata"]["namespace"] in {
                ns,
                cfg.injector.namespace,
                *cfg.service_namespaces(),
            }
            continue
        assert r.inputs["metadata"]["namespace"] == ns, r.name
