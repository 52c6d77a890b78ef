"""The injector's NetworkPolicy: its port only from the control plane, which calls the webhook.

On a private GKE cluster the API server reaches pods from the control plane's range
(`gcp.master_cidr`); nothing inside the cluster has a reason to call the injector. GKE's default
firewall lets the control plane reach nodes on 443 and 10250 only: `firewall.py` opens the injector's
port from the same range.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from infra.cluster.injector.layout import PORT, SELECTOR, metadata
from infra.config import StackConfig


def networkpolicy_manifest(cfg: StackConfig) -> dict:
    assert cfg.gcp is not None
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(cfg),
        "spec": {
            "podSelector": {"matchLabels": dict(SELECTOR)},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [{"ipBlock": {"cidr": cfg.gcp.master_cidr}}],
                    "ports": [{"protocol": "TCP", "port": PORT}],
                }
            ],
        },
    }


def create_networkpolicy(cfg: StackConfig, opts: pulumi.ResourceOptions) -> k8s.networking.v1.NetworkPolicy:
    m = networkpolicy_manifest(cfg)
    return k8s.networking.v1.NetworkPolicy(
        "injector-networkpolicy", metadata=m["metadata"], spec=m["spec"], opts=opts
    )
