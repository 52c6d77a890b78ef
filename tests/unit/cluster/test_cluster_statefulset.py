"""The StatefulSet: voters per stack, zone spread + hard host anti-affinity, pod security, OnDelete rolls."""

from __future__ import annotations

import hashlib

import pytest

from infra.cluster.layout import SELECTOR
from infra.cluster.server_config import CONFIG_CHECKSUM_ANNOTATION
from infra.names import VAULT_SERVICE_ACCOUNT

STS = "kubernetes:apps/v1:StatefulSet"
STACKS = [("prod", 5), ("staging", 3)]


@pytest.mark.parametrize(("stack", "voters"), STACKS)
def test_replicas_zone_spread_and_hard_host_anti_affinity(program, one, stack, voters):
    spec = one(program(stack), STS).inputs["spec"]
    assert spec["replicas"] == voters
    pod = spec["template"]["spec"]
    [spread] = pod["topologySpreadConstraints"]
    assert spread["topologyKey"] == "topology.kubernetes.io/zone"
    assert spread["maxSkew"] == 1
    assert spread["whenUnsatisfiable"] == "DoNotSchedule"
    assert spread["minDomains"] == 3
    assert spread["labelSelector"]["matchLabels"] == SELECTOR
    [anti] = pod["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert anti["topologyKey"] == "kubernetes.io/hostname"
    assert anti["labelSelector"]["matchLabels"] == SELECTOR
    # the selectors match the pods they spread
    labels = spec["template"]["metadata"]["labels"]
    assert SELECTOR.items() <= labels.items()


@pytest.mark.parametrize(("stack", "voters"), STACKS)
def test_pod_security_and_resources(program, one, config, stack, voters):
    pod = one(program(stack), STS).inputs["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["serviceAccountName"] == VAULT_SERVICE_ACCOUNT
    [container] = pod["containers"]
    sc = container["securityContext"]
    assert sc["runAsNonRoot"] is True and sc["runAsUser"] != 0
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"] == {"drop": ["ALL"]}
    assert "privileged" not in sc
    r = config(stack).cluster.resources
    assert container["resources"] == {
        "requests": {"cpu": r.cpu_request, "memory": r.memory_request},
        "limits": {"cpu": r.cpu_limit, "memory": r.memory_limit},
    }
    assert container["image"] == config(stack).cluster.image


@pytest.mark.parametrize(("stack", "voters"), STACKS)
def test_on_delete_updates_with_the_config_checksum(program, one, stack, voters):
    resources = program(stack)
    spec = one(resources, STS).inputs["spec"]
    assert spec["updateStrategy"] == {"type": "OnDelete"}
    hcl = one(resources, "kubernetes:core/v1:ConfigMap").inputs["data"]["server.hcl"]
    annotation = spec["template"]["metadata"]["annotations"][CONFIG_CHECKSUM_ANNOTATION]
    assert annotation == hashlib.sha256(hcl.encode()).hexdigest()


def test_checksum_changes_when_the_config_does(program, one):
    from infra.harness import run_program

    changed = run_program("staging", {"cluster": {"log_level": "debug"}})
    before = one(program("staging"), STS).inputs["spec"]["template"]["metadata"]["annotations"]
    after = one(changed, STS).inputs["spec"]["template"]["metadata"]["annotations"]
    assert before[CONFIG_CHECKSUM_ANNOTATION] != after[CONFIG_CHECKSUM_ANNOTATION]


@pytest.mark.parametrize(("stack", "voters"), STACKS)
def test_probes_use_sys_health_with_standby_flags(program, one, stack, voters):
    [container] = one(program(stack), STS).inputs["spec"]["template"]["spec"]["containers"]
    ready, live = container["readinessProbe"]["httpGet"], container["livenessProbe"]["httpGet"]
    assert ready["scheme"] == live["scheme"] == "HTTPS"
    assert ready["path"].startswith("/v1/sys/health?") and "standbyok=true" in ready["path"]
    # readiness must fail while sealed/uninitialized; liveness must not restart such a pod
    assert "sealedcode" not in ready["path"] and "uninitcode" not in ready["path"]
    assert "sealedcode=204" in live["path"] and "uninitcode=204" in live["path"]


@pytest.mark.parametrize(("stack", "voters"), STACKS)
def test_raft_and_audit_data_on_persistent_volumes(program, one, config, stack, voters):
    spec = one(program(stack), STS).inputs["spec"]
    claims = {c["metadata"]["name"]: c["spec"] for c in spec["volumeClaimTemplates"]}
    r = config(stack).cluster.resources
    assert claims["data"]["resources"]["requests"]["storage"] == r.storage
    assert claims["audit"]["resources"]["requests"]["storage"] == r.audit_storage
    mounts = {m["name"]: m["mountPath"] for m in spec["template"]["spec"]["containers"][0]["volumeMounts"]}
    assert mounts["data"] == "/vault/data" and mounts["audit"] == "/vault/audit"
    # every file audit device writes under the audit volume (the root filesystem is read-only)
    for device in config(stack).vault.audit:
        if device.type == "file" and device.file_path != "stdout":
            assert device.file_path.startswith("/vault/audit/")


@pytest.mark.parametrize(("stack", "voters"), STACKS)
def test_no_tls_verification_is_ever_skipped(program, one, stack, voters):
    env = one(program(stack), STS).inputs["spec"]["template"]["spec"]["containers"][0]["env"]
    names = {e["name"]: e.get("value") for e in env}
    assert "VAULT_SKIP_VERIFY" not in names and "BAO_SKIP_VERIFY" not in names
    assert names["VAULT_CACERT"] == "/vault/tls/ca.crt"
    assert names["VAULT_API_ADDR"].startswith("https://")
