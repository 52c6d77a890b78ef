"""The Vault configuration layer: audit, engines, auth methods, identities and policies."""

from __future__ import annotations

import pulumi
import pulumi_vault as vault

from infra.config import StackConfig
from infra.vault import acl
from infra.vault._opts import bootstrapped, child
from infra.vault.ai_keys import declare_ai_keys
from infra.vault.audit import declare_audit_devices
from infra.vault.aws import declare_aws
from infra.vault.database import declare_database
from infra.vault.human_auth import declare_human_auth
from infra.vault.identity import declare_identities
from infra.vault.jwt_auth import declare_jwt_auth
from infra.vault.kubernetes_auth import declare_kubernetes_auth
from infra.vault.kv import declare_kv
from infra.vault.openai import declare_openai
from infra.vault.quotas import declare_quotas
from infra.vault.transit import declare_transit


class VaultConfiguration(pulumi.ComponentResource):
    """Everything `pulumi up` writes into a running, initialized Vault."""

    def __init__(self, name: str, cfg: StackConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("vault-platform:vault:Configuration", name, None, opts)
        # Audit first: no request to configure anything goes unaudited. (Created by `vaultctl init`.)
        audit = declare_audit_devices(cfg, self) if cfg.cluster.server == "vault" else []
        bootstrap = {p.name for p in acl.bootstrap_policies(cfg)}
        policies = {
            p.name: vault.Policy(
                f"policy-{p.name}",
                name=p.name,
                policy=p.text,
                # The CI identities' policies are written by `vaultctl init`; CI only reads them.
                opts=bootstrapped(cfg, p.name, self, *audit) if p.name in bootstrap else child(self, *audit),
            )
            for p in acl.all_policies(cfg)
        }
        kv, kv_settings = declare_kv(cfg.kv, self)
        mounts: list[pulumi.Resource] = [kv, declare_transit(cfg.transit, self)]
        if cfg.openai:
            mounts.append(declare_openai(cfg, self))
        if cfg.database:
            mounts.append(declare_database(cfg.database, self))
        if cfg.aws:
            mounts.append(declare_aws(cfg.aws, self))
        kubernetes = declare_kubernetes_auth(cfg, self, policies)
        jwt = declare_jwt_auth(cfg, self, policies)
        declare_identities(cfg, self, kubernetes, jwt)
        declare_ai_keys(cfg, self, kv, kv_settings, policies, jwt)
        people = declare_human_auth(cfg, self, policies)
        declare_quotas(cfg.vault.rate_limits, self, *mounts, kubernetes, jwt, *([people] if people else []))
        self.policy_names = sorted(policies)
        self.register_outputs({"policies": self.policy_names})
