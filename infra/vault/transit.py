"""The transit mount and its named keys."""

from __future__ import annotations

import pulumi
import pulumi_vault as vault

from infra.config import TransitConfig
from infra.vault._opts import child


def declare_transit(transit: TransitConfig, parent: pulumi.Resource) -> vault.Mount:
    mount = vault.Mount(
        "transit",
        path=transit.path,
        type="transit",
        description="encryption as a service",
        # Deleting the mount deletes every key, and with them every ciphertext's plaintext (protect).
        opts=pulumi.ResourceOptions.merge(child(parent), pulumi.ResourceOptions(protect=True)),
    )
    for key in transit.keys:
        vault.transit.SecretBackendKey(
            f"transit-key-{key.name}",
            backend=mount.path,
            name=key.name,
            type=key.type,
            # Key material never leaves Vault, and a key cannot be deleted: losing it loses the data.
            exportable=False,
            allow_plaintext_backup=False,
            deletion_allowed=False,
            auto_rotate_period=key.auto_rotate_period,
            opts=pulumi.ResourceOptions.merge(child(parent, mount), pulumi.ResourceOptions(protect=True)),
        )
    return mount
