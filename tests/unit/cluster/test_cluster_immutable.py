"""Changes that never take the cluster down: the StatefulSet is protected (the engine refuses to replace
or delete it), and which config keys would force a replacement is known, from the same table of
replacing fields the plan diff imports (`infra.cluster.immutable`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.cluster.immutable import REPLACING_FIELDS, RUNBOOKS, replaced_fields, replacement_message
from infra.harness import REPO_ROOT, run_program

STS = "kubernetes:apps/v1:StatefulSet"

# One perturbation per config key that reaches the StatefulSet (staging: 3 voters, so `nodes` can grow).
PERTURBATIONS: dict[str, dict[str, Any]] = {
    "cluster.image": {"cluster": {"image": "hashicorp/vault:1.21.2"}},
    "cluster.nodes": {"cluster": {"nodes": 5}},
    "cluster.log_level": {"cluster": {"log_level": "debug"}},
    "cluster.performance_multiplier": {"cluster": {"performance_multiplier": 2}},
    "cluster.tls.min_version": {"cluster": {"tls": {"min_version": "tls12"}}},
    "cluster.telemetry.scrape": {"cluster": {"telemetry": {"scrape": "none"}}},
    "cluster.resources.cpu_request": {"cluster": {"resources": {"cpu_request": "750m"}}},
    "cluster.resources.memory_limit": {"cluster": {"resources": {"memory_limit": "2Gi"}}},
    "cluster.resources.storage": {"cluster": {"resources": {"storage": "20Gi"}}},
    "cluster.resources.storage_class": {"cluster": {"resources": {"storage_class": "standard-rwo"}}},
    "cluster.namespace": {"cluster": {"namespace": "vault-2"}},
    "vault.audit": {
        "vault": {
            "audit": [
                {"name": "stdout", "type": "file", "file_path": "stdout"},
                {"name": "siem", "type": "socket", "address": "10.0.0.9:9090"},
            ]
        }
    },
}
REPLACING_KEYS = {"cluster.resources.storage", "cluster.resources.storage_class", "cluster.namespace"}


def _statefulset(resources: list[Any]) -> dict[str, Any]:
    [sts] = [r for r in resources if r.type == STS]
    return dict(sts.inputs)


def replacement_keys(stack: str) -> dict[str, list[str]]:
    """Config key -> the StatefulSet fields its change would replace (empty: an in-place update)."""
    base = _statefulset(run_program(stack))
    return {
        key: replaced_fields(STS, base, _statefulset(run_program(stack, overrides)))
        for key, overrides in PERTURBATIONS.items()
    }


def test_which_config_keys_would_replace_the_statefulset():
    keys = replacement_keys("staging")
    assert {k for k, fields in keys.items() if fields} == REPLACING_KEYS
    assert keys["cluster.resources.storage"] == ["spec.volumeClaimTemplates"]
    assert keys["cluster.resources.storage_class"] == ["spec.volumeClaimTemplates"]
    assert keys["cluster.namespace"] == ["metadata.namespace"]
    # audit devices no longer touch the volume claims: stdout only, no audit volume
    assert keys["vault.audit"] == []


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_the_statefulset_is_protected(program, stack):
    program(stack)
    assert program.protected[(stack, "statefulset")] is True


def test_statefulset_immutable_fields_follow_the_kubernetes_provider():
    # pulumi-kubernetes provider/pkg/provider/diff.go (forceNew): these replace, everything else patches.
    assert set(REPLACING_FIELDS[STS]) >= {
        "metadata.name",
        "metadata.namespace",
        "spec.podManagementPolicy",
        "spec.revisionHistoryLimit",
        "spec.selector",
        "spec.serviceName",
        "spec.volumeClaimTemplates",
    }
    assert "spec.template" not in REPLACING_FIELDS[STS] and "spec.replicas" not in REPLACING_FIELDS[STS]


def test_replaced_fields_is_pure_and_exact():
    old = {"metadata": {"name": "vault"}, "spec": {"replicas": 3, "serviceName": "a", "template": {"x": 1}}}
    assert replaced_fields(STS, old, old) == []
    assert replaced_fields(STS, old, {**old, "spec": {**old["spec"], "replicas": 5}}) == []
    assert replaced_fields(STS, old, {**old, "spec": {**old["spec"], "serviceName": "b"}}) == [
        "spec.serviceName"
    ]
    assert replaced_fields("kubernetes:core/v1:Service", {"spec": {"clusterIP": "None"}}, {"spec": {}}) == [
        "spec.clusterIP"
    ]
    assert replaced_fields("gcp:compute/address:Address", old, {}) == []  # not a kind in the table


def test_replacement_message_points_to_a_runbook_that_exists():
    message = replacement_message(STS, "statefulset", ["spec.volumeClaimTemplates"])
    assert "spec.volumeClaimTemplates" in message
    path = RUNBOOKS[STS]
    assert path in message and (REPO_ROOT / path).is_file()
    text = Path(REPO_ROOT / path).read_text()
    for topic in ("volume", "audit", "--cascade=orphan", "vaultctl roll"):
        assert topic in text
