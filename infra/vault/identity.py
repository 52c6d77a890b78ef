"""One identity entity per service, carrying the `service` metadata the templated policies read."""

from __future__ import annotations

import pulumi
import pulumi_vault as vault

from infra.config import StackConfig
from infra.vault._opts import child


def declare_identities(
    cfg: StackConfig, parent: pulumi.Resource, kubernetes: vault.AuthBackend, jwt: vault.jwt.AuthBackend
) -> None:
    for service in cfg.services:
        entity = vault.identity.Entity(
            f"entity-{service.name}",
            name=f"svc-{service.name}",
            # Only this layer writes entity metadata; callers cannot choose the name a policy expands.
            metadata={"service": service.name},
            # Entities carry metadata only; policies come from the auth roles. With this flag the
            # provider never sends `policies`, which the deployer policy does not allow on entity writes.
            external_policies=True,
            opts=child(parent),
        )
        if service.kubernetes:
            vault.identity.EntityAlias(
                f"entity-alias-{service.name}-kubernetes",
                name=f"{service.kubernetes.namespace}/{service.kubernetes.service_account}",
                mount_accessor=kubernetes.accessor,
                canonical_id=entity.id,
                opts=child(parent, entity, kubernetes),
            )
        if service.github:
            vault.identity.EntityAlias(
                f"entity-alias-{service.name}-github",
                name=service.github.repository,
                mount_accessor=jwt.accessor,
                canonical_id=entity.id,
                opts=child(parent, entity, jwt),
            )
