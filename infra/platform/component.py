"""`GcpPlatform`: everything the Vault cluster needs from Google Cloud, as one component."""

from __future__ import annotations

import pulumi

from infra.alarms.component import create_audit_alarms
from infra.config import StackConfig
from infra.platform.alerting import create_snapshot_alerting
from infra.platform.apis import enable_apis
from infra.platform.bucket import create_snapshot_bucket
from infra.platform.ci_identity import create_ci_identity
from infra.platform.dns import create_private_dns
from infra.platform.gke import create_gke
from infra.platform.identity import snapshot_identity, vault_identity
from infra.platform.kms import create_unseal_key
from infra.platform.lb import create_api_address
from infra.platform.network import create_network


class GcpPlatform(pulumi.ComponentResource):
    """Network + private GKE, the auto-unseal KMS key (key-scoped IAM), Workload Identity service
    accounts and the snapshot bucket for one stack."""

    def __init__(self, name: str, cfg: StackConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("vault-platform:platform:GcpPlatform", name, None, opts)
        if cfg.gcp is None or cfg.kms is None or cfg.snapshots is None:
            raise ValueError(f"GcpPlatform needs gcp, kms and snapshots config ({cfg.environment} stack)")
        apis = enable_apis(cfg, self)
        child = pulumi.ResourceOptions(parent=self, depends_on=apis)

        self.network = create_network(cfg, child)
        self.gke = create_gke(cfg, self.network, child)
        # The way in for CI and operators: a reserved internal address and the private name on it.
        self.api_address = create_api_address(cfg, self.network, child)
        self.dns = create_private_dns(cfg, self.network, self.api_address, child)
        # Workload Identity members name the cluster's pool: the bindings take it from the cluster.
        self.vault_identity = vault_identity(cfg, self.gke.cluster, child)
        self.snapshot_identity = snapshot_identity(cfg, self.gke.cluster, child)
        self.unseal_key = create_unseal_key(cfg, self.vault_identity.account, child)
        self.snapshot_bucket = create_snapshot_bucket(cfg, self.snapshot_identity.account, child)
        # Snapshot health from the job's own log lines (GKE has no kube-state-metrics Job series).
        self.snapshot_alerting = create_snapshot_alerting(cfg, self.gke.cluster, child)
        # Audit-log alarms (infra/alarms): what the audit device's stdout says, watched by Cloud Monitoring.
        self.audit_alarms = create_audit_alarms(cfg, child)
        # GitHub Actions' identities: a read-only previewer and the deployer (Workload Identity Federation).
        self.ci = create_ci_identity(cfg, self.unseal_key, child)

        # No credential inside: the exec plugin fetches a short-lived token per call.
        self.kubeconfig: pulumi.Output[str] = self.gke.kubeconfig
        self.kms_key_id: pulumi.Output[str] = self.unseal_key.crypto_key.id
        self.bucket_name: pulumi.Output[str] = self.snapshot_bucket.bucket.name
        # What must exist before Vault pods start, or their first unseal attempt is denied.
        self.vault_dependencies: list[pulumi.Resource] = [
            self.vault_identity.binding,
            self.unseal_key.grant,
            self.gke.node_pool,
        ]
        self.snapshot_dependencies: list[pulumi.Resource] = [
            self.snapshot_identity.binding,
            self.snapshot_bucket.writer,
        ]
        self.register_outputs(
            {"kmsKeyId": self.kms_key_id, "bucket": self.bucket_name, "cluster": self.gke.cluster.name}
        )
