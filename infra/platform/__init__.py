"""GCP platform layer: network, private GKE, KMS auto-unseal key, Workload Identity, snapshot bucket."""

from infra.platform.component import GcpPlatform

__all__ = ["GcpPlatform"]
