"""PodDisruptionBudget: voluntary disruptions (node upgrades, drains) never cost Raft its quorum."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from infra.cluster.layout import SELECTOR, STATEFULSET, metadata
from infra.config import StackConfig


def max_unavailable(voters: int) -> int:
    """Raft with n voters tolerates floor((n-1)/2) failures: 1 of 3, 2 of 5."""
    return (voters - 1) // 2


def pdb_manifest(cfg: StackConfig) -> dict:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata(cfg, STATEFULSET),
        "spec": {
            "maxUnavailable": max_unavailable(cfg.cluster.nodes),
            "selector": {"matchLabels": dict(SELECTOR)},
        },
    }


def create_pdb(cfg: StackConfig, opts: pulumi.ResourceOptions) -> k8s.policy.v1.PodDisruptionBudget:
    m = pdb_manifest(cfg)
    return k8s.policy.v1.PodDisruptionBudget("pdb", metadata=m["metadata"], spec=m["spec"], opts=opts)
