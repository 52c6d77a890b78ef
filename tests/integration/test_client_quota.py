"""The local hvac client backs off on a rate-limit quota (429) instead of failing the caller."""

from __future__ import annotations

import pytest
import requests

from infra.local.client import client
from infra.local.environment import Environment

pytestmark = pytest.mark.integration


def test_client_rides_out_a_rate_limit_quota_that_refuses_plain_requests(env: Environment, root) -> None:
    quota = {"path": "sys/capabilities-self", "rate": 1, "interval": "1s"}
    root.adapter.post("/v1/sys/quotas/rate-limit/quota-probe", json=quota)
    try:
        headers = {"X-Vault-Token": root.token}
        address = env.leader().api_addr
        url = f"{address}/v1/sys/capabilities-self"
        plain = [
            requests.post(
                url, json={"paths": ["kv/"]}, headers=headers, verify=str(env.ca_cert), timeout=5
            ).status_code
            for _ in range(4)
        ]
        assert 429 in plain  # the quota really refuses back-to-back requests

        backing_off = client(address, env.ca_cert, root.token)
        for _ in range(4):
            assert backing_off.sys.get_capabilities(paths=["kv/"], token=None)  # no RateLimitExceeded
    finally:
        root.delete("sys/quotas/rate-limit/quota-probe")
