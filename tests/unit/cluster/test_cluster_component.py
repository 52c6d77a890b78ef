"""Component wiring: every cloud, Kubernetes and TLS resource is a child of its layer's component, and
every namespaced Kubernetes object names the Vault namespace (never the provider's default)."""

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
    checked = 0
    for r in resources:
        layer = LAYERS.get(r.type) or LAYERS.get(r.type.split(":", 1)[0])
        if layer is None or r.type.startswith("pulumi:providers:vault"):
            continue
        assert components.get(r.parent) == layer, f"{r.type} {r.name} parent={r.parent}"
        checked += 1
    assert checked >= 45


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_kubernetes_objects_name_the_vault_namespace(program, config, stack):
    ns = config(stack).cluster.namespace
    for r in program(stack):
        kind = r.type.rsplit(":", 1)[-1]
        if not r.type.startswith("kubernetes:") or kind in ("Namespace", "ClusterRoleBinding"):
            continue
        assert r.inputs["metadata"]["namespace"] == ns, r.name
