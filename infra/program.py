"""The Pulumi program: read + validate config once, build the layers, export outputs."""

from __future__ import annotations

import pulumi
import pulumi_vault as vault

from infra.cluster.component import VaultCluster
from infra.config import load_stack_config
from infra.platform import GcpPlatform
from infra.vault import VaultConfiguration


def main() -> None:
    cfg = load_stack_config()  # bad input stops here, before any resource is declared
    pulumi.export("environment", cfg.environment)
    pulumi.export("vault_address", cfg.vault.address)

    cluster: VaultCluster | None = None
    if cfg.environment != "local":  # the local stack's cluster is OpenBao processes (infra/local)
        platform = GcpPlatform("platform", cfg)
        cluster = VaultCluster("cluster", cfg, platform)
        pulumi.export("ca_certificate", cluster.ca_certificate)
        pulumi.export("kms_key_id", platform.kms_key_id)
        pulumi.export("snapshot_bucket", platform.bucket_name)
        # What the workflows' google-github-actions/auth steps take (repository variables).
        pulumi.export("ci_workload_identity_provider", platform.ci.provider_name)
        pulumi.export("ci_deployer_service_account", platform.ci.deployer_email)
        pulumi.export("ci_previewer_service_account", platform.ci.previewer_email)

    if cfg.vault.configure:
        # The token comes from the environment (CI: a short-lived deployer login); TLS is always verified.
        # On a new stack the server does not exist before the cluster layer: the provider waits for all
        # of it (a component in depends_on means its children; infra/ordering.py checks it).
        after_cluster = pulumi.ResourceOptions(depends_on=[cluster] if cluster else [])
        provider = vault.Provider(
            "vault", address=cfg.vault.address, skip_tls_verify=False, opts=after_cluster
        )
        configuration = VaultConfiguration("vault", cfg, pulumi.ResourceOptions(providers=[provider]))
        pulumi.export("vault_policies", configuration.policy_names)
