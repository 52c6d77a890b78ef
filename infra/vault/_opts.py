"""Resource options shared by the Vault layer's modules."""

from __future__ import annotations

import json

import pulumi
import pulumi_vault as vault

from infra.config import StackConfig


def child(parent: pulumi.Resource, *depends_on: pulumi.Resource) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on) or None)


def bootstrapped(
    cfg: StackConfig, import_id: str, parent: pulumi.Resource, *depends_on: pulumi.Resource
) -> pulumi.ResourceOptions:
    """Options of an object `vaultctl init` creates with an operator's token before CI can log in.

    The program declares it like any other (same parent, same provider, so the same URN), and with
    `vault.adopt_bootstrap` the first `up` imports it instead of creating it (the engine reads it by
    `import_id`). Protected: CI cannot write these objects, and deleting one would lock CI out.
    """
    return pulumi.ResourceOptions(
        parent=parent,
        depends_on=list(depends_on) or None,
        import_=import_id if cfg.vault.adopt_bootstrap else None,
        protect=True,
    )


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
