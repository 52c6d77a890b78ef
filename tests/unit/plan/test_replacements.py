"""The replacement table covers every type the program declares, and its conditions apply."""

from __future__ import annotations

import pytest

from infra.replacements import TABLE, forced_by, rules_for
from tests.conftest import STACKS


@pytest.mark.parametrize("stack", STACKS)
def test_every_declared_custom_type_has_a_row(declared, stack: str) -> None:  # type: ignore[no-untyped-def]
    # A missing row would silently show a replacement as an update: add the row with its source.
    missing = sorted(
        {
            r.type
            for r in declared(stack)
            if r.custom and not r.type.startswith("pulumi:providers:") and rules_for(r.type) is None
        }
    )
    assert missing == []


def test_the_check_above_can_fail() -> None:
    assert rules_for("vault:made/up:Thing") is None
    assert rules_for("kubernetes:made.up/v1:Thing") is not None  # metadata.name/namespace for every kind


def test_kubernetes_kinds_come_from_the_cluster_layers_table() -> None:
    from infra.cluster.immutable import REPLACING_FIELDS

    for type_token, fields in REPLACING_FIELDS.items():
        ours = {f for rule in rules_for(type_token) or () for f in rule.fields}
        assert ours == set(fields), type_token


def test_every_row_names_its_source() -> None:
    for type_token, rules in TABLE.items():
        for rule in rules:
            assert rule.source and rule.fields, type_token


@pytest.mark.parametrize(
    ("type_token", "path", "forced"),
    [
        ("kubernetes:apps/v1:StatefulSet", "spec.serviceName", True),
        ("kubernetes:apps/v1:StatefulSet", "spec.selector.matchLabels.app", True),
        ("kubernetes:apps/v1:StatefulSet", "spec.template.spec.containers[0].image", False),
        ("kubernetes:apps/v1:StatefulSet", "metadata.name", True),
        ("kubernetes:core/v1:Service", "spec.ports[0].port", False),
        ("gcp:container/cluster:Cluster", "location", True),
        ("gcp:container/cluster:Cluster", "network", True),
        ("gcp:container/cluster:Cluster", "minMasterVersion", False),
        ("gcp:kms/cryptoKey:CryptoKey", "name", True),
        ("gcp:kms/cryptoKey:CryptoKey", "versionTemplate.protectionLevel", True),
        ("gcp:kms/cryptoKey:CryptoKey", "rotationPeriod", False),
        ("vault:index/policy:Policy", "name", True),
        ("vault:index/policy:Policy", "policy", False),
        ("vault:transit/secretBackendKey:SecretBackendKey", "type", True),
        ("vault:transit/secretBackendKey:SecretBackendKey", "deletionAllowed", False),
        ("gcp:logging/metric:Metric", "metricDescriptor.labels[0].key", True),
        ("gcp:logging/metric:Metric", "metricDescriptor.labels[0].description", False),
    ],
)
def test_forced_by(type_token: str, path: str, forced: bool) -> None:
    assert bool(forced_by(type_token, [path], {}, {})) is forced
