"""Resource options shared by the Vault layer's modules."""

from __future__ import annotations

import pulumi


def child(parent: pulumi.Resource, *depends_on: pulumi.Resource) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on) or None)


def secret(value: str) -> pulumi.Output[str]:
    return pulumi.Output.secret(value)
