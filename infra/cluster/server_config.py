"""The GKE server config: the rendered spec (`infra.cluster.server_spec`) and its ConfigMap."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

import pulumi
import pulumi_kubernetes as k8s

from infra.cluster.layout import CONFIG_FILE, CONFIG_MAP, metadata
from infra.cluster.server_hcl import render_server_hcl
from infra.cluster.server_spec import gke_server_spec
from infra.config import StackConfig

__all__ = ["CONFIG_CHECKSUM_ANNOTATION", "configmap_manifest", "create_configmap", "gke_server_spec",
           "pod_checksum", "render"]  # fmt: skip

CONFIG_CHECKSUM_ANNOTATION = "vault-platform/config-checksum"


def render(cfg: StackConfig) -> str:
    return render_server_hcl(gke_server_spec(cfg))


def pod_checksum(parts: Mapping[str, str]) -> str:
    """The pod template's checksum annotation: a sha256 over everything a running server reads only at
    start (server HCL, listener certificate and CA, the probe's config), so a change to any of them
    marks every pod for the standby-first roll. Pure, so it may run inside an Output.apply."""
    return hashlib.sha256(json.dumps(dict(parts), sort_keys=True).encode()).hexdigest()


def configmap_manifest(cfg: StackConfig, hcl: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata(cfg, CONFIG_MAP),
        "data": {CONFIG_FILE: hcl},
    }


def create_configmap(cfg: StackConfig, hcl: str, opts: pulumi.ResourceOptions) -> k8s.core.v1.ConfigMap:
    m = configmap_manifest(cfg, hcl)
    return k8s.core.v1.ConfigMap("config", metadata=m["metadata"], data=m["data"], opts=opts)
