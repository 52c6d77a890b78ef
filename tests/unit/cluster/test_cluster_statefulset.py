"""The StatefulSet: voters per stack, zone spread + hard host anti-affinity, pod security, OnDelete rolls."""

from __future__ import annotations

import pytest

from infra.cluster.layout import SELECTOR
from infra.cluster.server_config import CONFIG_CHECKSUM_ANNOTATION
from infra.names import VAULT_SERVICE_ACCOUNT
from tests.unit.gke_fixtures import _hook

STS = "kubernetes:apps/v1:StatefulSet"
STACKS = [("prod", 5), ("staging", 3)]


def _vault_container(pod: dict) -> dict:
    return next(c for c in pod["containers"] if c["name"] == "vault")


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
    container = _vault_container(pod)
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
def test_on_delete_updates_with_the_pod_checksum(program, one, stack, voters):
    resources = program(stack)
    spec = one(resources, STS).inputs["spec"]
    assert spec["updateStrategy"] == {"type": "OnDelete"}
    annotation = spec["template"]["metadata"]["annotations"][CONFIG_CHECKSUM_ANNOTATION]
    assert len(annotation) == 64 and int(annotation, 16) >= 0  # a sha256, never the content itself


def _checksum(resources, one):
    return one(resources, STS).inputs["spec"]["template"]["metadata"]["annotations"][
        CONFIG_CHECKSUM_ANNOTATION
    ]


def test_checksum_changes_when_the_config_does(program, one):
    from infra.harness import run_program

    changed = run_program("staging", {"cluster": {"log_level": "debug"}}, hook=_hook)
    assert _checksum(program("staging"), one) != _checksum(changed, one)
    assert _checksum(run_program("staging", hook=_hook), one) == _checksum(program("staging"), one)


def test_checksum_changes_when_the_certificate_does(program, one):
    # A renewed certificate is a new `certPem` output of the same program: the pods must roll for it
    # (Vault reads its listener certificate at start and on SIGHUP only).
    from infra.harness import run_program

    def renewed(resource):
        outputs = dict(_hook(resource))
        if resource.type == "tls:index/locallySignedCert:LocallySignedCert":
            outputs["certPem"] = "-----BEGIN CERTIFICATE-----\nRENEWED-NODE\n"
        return outputs

    assert _checksum(run_program("staging", hook=renewed), one) != _checksum(program("staging"), one)


@pytest.mark.parametrize(("stack", "voters"), STACKS)
def test_probes_use_sys_health_with_standby_flags(program, one, stack, voters):
    container = _vault_container(one(program(stack), STS).inputs["spec"]["template"]["spec"])
    ready, live = container["readinessProbe"]["httpGet"], container["livenessProbe"]["httpGet"]
    assert ready["scheme"] == live["scheme"] == "HTTPS"
    assert ready["path"].startswith("/v1/sys/health?") and "standbyok=true" in ready["path"]
    # readiness must fail while sealed/uninitialized; liveness must not restart such a pod
    assert "sealedcode" not in ready["path"] and "uninitcode" not in ready["path"]
    assert "sealedcode=204" in live["path"] and "uninitcode=204" in live["path"]


@pytest.mark.parametrize(("stack", "voters"), STACKS)
def test_raft_data_on_persistent_volumes(program, one, config, stack, voters):
    spec = one(program(stack), STS).inputs["spec"]
    claims = {c["metadata"]["name"]: c["spec"] for c in spec["volumeClaimTemplates"]}
    r = config(stack).cluster.resources
    assert set(claims) == {"data"}  # audit goes to stdout (Cloud Logging): no audit volume to fill up
    assert claims["data"]["resources"]["requests"]["storage"] == r.storage
    assert claims["data"]["storageClassName"] == r.storage_class
    vault = _vault_container(spec["template"]["spec"])
    mounts = {m["name"]: m["mountPath"] for m in vault["volumeMounts"]}
    assert mounts["data"] == "/vault/data"


@pytest.mark.parametrize(("stack", "voters"), STACKS)
def test_no_tls_verification_is_ever_skipped(program, one, stack, voters):
    env = _vault_container(one(program(stack), STS).inputs["spec"]["template"]["spec"])["env"]
    names = {e["name"]: e.get("value") for e in env}
    assert "VAULT_SKIP_VERIFY" not in names and "BAO_SKIP_VERIFY" not in names
    assert names["VAULT_CACERT"] == "/vault/tls/ca.crt"
    assert names["VAULT_API_ADDR"].startswith("https://")
