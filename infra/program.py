"""The Pulumi program: read + validate config once, build the layers, export outputs."""

from __future__ import annotations

import pulumi
import pulumi_vault as vault

from infra.cluster.component import VaultCluster
from infra.cluster.injector.annotations import all_pod_annotations
from infra.config import load_stack_config
from infra.platform import GcpPlatform
from infra.vault import VaultConfiguration


def main() -> None:
    cfg = load_stack_config()  # bad input stops here, before any resource is declared
    pulumi.export("environment", cfg.environment)
    pulumi.export("vault_address", cfg.vault.address)
    if cfg.injector.enabled:
        # What each service's pod template carries (also `vaultctl annotations SERVICE --stack S`).
        for service, annotations in all_pod_annotations(cfg).items():
            pulumi.export(f"pod_annotations_{service}", annotations)

    # What must exist before anything talks to vault.address: the servers, and the way in to them.
    reach_vault: list[pulumi.Resource] = []
    if cfg.environment != "local":  # the local stack's cluster is OpenBao processes (infra/local)
        platform = GcpPlatform("platform", cfg)
        cluster = VaultCluster("cluster", cfg, platform)
        reach_vault = [cluster, platform.dns.api_record]
        pulumi.export("ca_certificate", cluster.ca_certificate)
        pulumi.export("kms_key_id", platform.kms_key_id)
        pulumi.export("snapshot_bucket", platform.bucket_name)
        pulumi.export("api_address", platform.api_address.address)
        # What the workflows' google-github-actions/auth steps take (repository variables).
        pulumi.export("ci_workload_identity_provider", platform.ci.provider_name)
        pulumi.export("ci_deployer_service_account", platform.ci.deployer_email)
        pulumi.export("ci_previewer_service_account", platform.ci.previewer_email)

    if cfg.vault.configure:
        # The token comes from the environment (CI: a short-lived deployer or previewer JWT login); TLS is
        # always verified. skip_child_token: without it the provider's start-up calls auth/token/create
        # to mint a child token (internal/provider/meta.go), and a policy granting auth/token/create lets
        # its holder mint tokens with any subset of its policies, or orphans that outlive it; neither CI
        # policy grants it, so every preview and up would fail with 403 at start-up. (So the provider
        # applies with the login's own token, whose lifetime is the role's: deployer.token_ttl.)
        # Every Vault resource goes through this provider, so none is written before the cluster, its
        # load balancer and its DNS record exist (a component dependency waits for all its children).
        provider = vault.Provider(
            "vault",
            address=cfg.vault.address,
            skip_tls_verify=False,
            skip_child_token=True,
            opts=pulumi.ResourceOptions(depends_on=reach_vault),
        )
        configuration = VaultConfiguration(
            "vault", cfg, pulumi.ResourceOptions(providers=[provider], depends_on=reach_vault)
        )
        pulumi.export("vault_policies", configuration.policy_names)
