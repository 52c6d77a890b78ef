"""Kubernetes + Vault server layer: TLS, server HCL, StatefulSet, Services, policies, telemetry, snapshots."""
