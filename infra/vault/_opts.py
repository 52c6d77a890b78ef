"""Resource options shared by the Vault layer's modules."""

from __future__ import annotations

import json

import pulumi
import pulumi_vault as vault


def child(parent: pulumi.Resource, *depends_on: pulumi.Resource) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on) or None)


def secret(value: str) -> pulumi.Output[str]:
    return pulumi.Output.secret(value)


def rotate_root_once(
    name: str, path: pulumi.Input[str], parent: pulumi.Resource, *after: pulumi.Resource
) -> None:
    """Rotate an engine's root credential when first declared: written once, never read back or
    deleted, so no person keeps knowing the credential that bootstrapped the engine."""
    vault.generic.Endpoint(
        name,
        path=path,
        data_json=json.dumps({}),
        disable_read=True,
        disable_delete=True,
        opts=child(parent, *after),
    )
