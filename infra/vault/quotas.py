"""Rate-limit quotas (Vault has no `api_rate_limit` server stanza: quotas are API objects)."""

from __future__ import annotations

import pulumi
import pulumi_vault as vault

from infra.config import RateLimit
from infra.vault._opts import child


def declare_quotas(limits: list[RateLimit], parent: pulumi.Resource, *after: pulumi.Resource) -> None:
    for limit in limits:
        vault.QuotaRateLimit(
            f"quota-{limit.name}",
            name=limit.name,
            path=limit.path,
            rate=limit.rate,
            interval=limit.interval,
            block_interval=limit.block_interval,
            opts=child(parent, *after),
        )
