"""injector.* and kubernetes.agent are validated before anything is declared; each check fires on a bad
value and stays quiet on the shipped stacks."""

from __future__ import annotations

from typing import Any

import pytest

from infra.config import ConfigError, parse_stack_config
from infra.harness import DeclaredResource, read_stack_config, run_program

DIGEST = "sha256:" + "a" * 64


def _services(stack: str, name: str, **change: Any) -> list[dict[str, Any]]:
    services = read_stack_config(stack)["services"]
    return [{**s, **change} if s["name"] == name else s for s in services]


BAD = [
    (
        "image-tag-only",
        "prod",
        {"injector": {"image": "hashicorp/vault-k8s:1.7.2"}},
        "pinned by version and digest",
    ),
    (
        "image-digest-only",
        "prod",
        {"injector": {"image": f"hashicorp/vault-k8s@{DIGEST}"}},
        "pinned by version",
    ),
    ("agent-latest", "prod", {"injector": {"agent_image": "hashicorp/vault:latest"}}, "injector.agent_image"),
    (
        "agent-other-release",
        "prod",
        {"injector": {"agent_image": f"docker.io/hashicorp/vault:1.19.0@{DIGEST}"}},
        "run the server's release (1.21.1, cluster.image)",
    ),
    ("one-replica", "prod", {"injector": {"replicas": 1}}, "injector.replicas=1"),
    ("bad-policy", "prod", {"injector": {"failure_policy": "Retry"}}, "injector.failure_policy='Retry'"),
    (
        "bad-quantity",
        "prod",
        {"injector": {"agent_resources": {"memory_limit": "lots"}}},
        "Kubernetes quantity",
    ),
    (
        "injector-in-vault-namespace",
        "prod",
        {"injector": {"namespace": "vault"}},
        "give the injector its own namespace, not Vault's",
    ),
    (
        "service-in-injector-namespace",
        "prod",
        {
            "services": _services(
                "prod", "billing", kubernetes={"namespace": "vault-injector", "service_account": "b"}
            )
        },
        "injector.namespace='vault-injector': must not be a service namespace",
    ),
    (
        "init-only-with-leases",
        "prod",
        {
            "services": _services(
                "prod",
                "billing",
                kubernetes={"namespace": "billing", "service_account": "billing-api", "agent": "init-only"},
            )
        },
        "services[billing].kubernetes.agent='init-only': its leased secrets",
    ),
]


@pytest.mark.parametrize(("case", "stack", "overrides", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_injector_config_is_rejected(case: str, stack: str, overrides: dict, expected: str) -> None:
    sink: list[DeclaredResource] = []
    with pytest.raises(ConfigError) as error:
        run_program(stack, overrides, sink=sink)
    assert expected in str(error.value)
    assert sink == []


def test_kube_system_service_names_the_webhook_risk() -> None:
    raw = read_stack_config(
        "prod",
        {
            "services": _services(
                "prod", "billing", kubernetes={"namespace": "kube-system", "service_account": "b"}
            )
        },
    )
    with pytest.raises(ConfigError, match="kube-system"):
        parse_stack_config(raw)


@pytest.mark.parametrize("stack", ["prod", "staging", "local"])
def test_shipped_injector_config_is_valid_and_pinned(stack: str) -> None:
    cfg = parse_stack_config(read_stack_config(stack))
    for image in (cfg.injector.image, cfg.injector.agent_image):
        repo_tag, digest = image.split("@")
        assert ":" in repo_tag and digest.startswith("sha256:") and len(digest) == 71
    assert cfg.injector.failure_policy == "Fail" and cfg.injector.replicas >= 2
