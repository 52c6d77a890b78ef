"""The KV v2 mount and its settings."""

from __future__ import annotations

import pulumi
import pulumi_vault as vault

from infra.config import KvConfig
from infra.vault._opts import child


def declare_kv(kv: KvConfig, parent: pulumi.Resource) -> tuple[vault.Mount, vault.kv.SecretBackendV2]:
    """The mount, and its settings: writes into a new mount wait for the settings, which the provider
    retries while the mount still upgrades to versioned storage (docs/facts.md)."""
    mount = vault.Mount(
        "kv",
        path=kv.path,
        type="kv",
        options={"version": "2"},
        description="application secrets: apps/<service>/, ai/providers/<provider>/<service>",
        # Deleting a mount deletes every secret in it: the engine must refuse (protect).
        opts=pulumi.ResourceOptions.merge(child(parent), pulumi.ResourceOptions(protect=True)),
    )
    settings = vault.kv.SecretBackendV2(
        "kv-config",
        mount=mount.path,
        max_versions=kv.max_versions,
        cas_required=kv.cas_required,
        delete_version_after=kv.delete_version_after,
        opts=child(parent, mount),
    )
    return mount, settings
