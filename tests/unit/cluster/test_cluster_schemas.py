"""Every Kubernetes object the program declares validates against the Kubernetes JSON schemas (strict:
unknown fields fail) of the targeted version, offline."""

from __future__ import annotations

import pytest

from infra.cluster.layout import KUBERNETES_VERSION
from infra.harness import unwrap

kubernetes_validate = pytest.importorskip("kubernetes_validate")
CRD_GROUPS = ("monitoring.googleapis.com", "monitoring.coreos.com")


def _objects(resources):
    objects = []
    for r in resources:
        if not r.type.startswith("kubernetes:") or any(g in r.type for g in CRD_GROUPS):
            continue
        objects.append(unwrap(dict(r.inputs)))
    return objects


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_objects_validate_against_the_kubernetes_schemas(program, stack):
    objects = _objects(program(stack))
    assert len(objects) >= 14
    for obj in objects:
        if obj["kind"] == "Secret":
            assert obj["stringData"]  # (filled by the test hook)
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def test_validation_rejects_a_misspelt_field(program):
    [sts] = [o for o in _objects(program("staging")) if o["kind"] == "StatefulSet"]
    sts["spec"]["template"]["spec"]["containers"][0]["securityContext"]["readOnlyRootFileSystem"] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(sts, KUBERNETES_VERSION, strict=True)
