"""The injector's Kubernetes objects as the program declares them for the GKE stacks: webhook scope and
failure policy, TLS from our CA, least-privilege RBAC, hardened pods, network reachability, ordering."""

from __future__ import annotations

import base64

import pytest

from infra.cluster.injector import deployment, rbac, tls, webhook
from infra.cluster.injector.layout import PORT, SERVICE, SERVICE_PORT, TLS_SECRET, service_hosts
from infra.harness import unwrap

STACKS = ["prod", "staging"]
INJ = ":AgentInjector"


def _mine(program, stack, type_token):
    return [r for r in program(stack) if r.type == type_token and INJ in r.urn]


def test_local_stack_declares_no_injector(program) -> None:
    assert not [r for r in program("local") if INJ in r.urn or r.type.endswith(":AgentInjector")]


@pytest.mark.parametrize("stack", STACKS)
def test_webhook_fails_closed_on_service_namespaces_only(program, config, stack) -> None:
    cfg = config(stack)
    [hook] = _mine(program, stack, "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration")
    [spec] = hook.inputs["webhooks"]
    assert spec["failurePolicy"] == "Fail" and spec["sideEffects"] == "None"
    [expr] = spec["namespaceSelector"]["matchExpressions"]
    assert expr == {
        "key": "kubernetes.io/metadata.name",
        "operator": "In",
        "values": cfg.service_namespaces(),
    }
    for own in (cfg.cluster.namespace, cfg.injector.namespace, "kube-system"):
        assert own not in expr["values"]
    assert spec["rules"] == [
        {
            "operations": ["CREATE"],
            "apiGroups": [""],
            "apiVersions": ["v1"],
            "resources": ["pods"],
            "scope": "Namespaced",
        }
    ]
    service = spec["clientConfig"]["service"]
    assert (service["name"], service["namespace"], service["port"]) == (
        SERVICE,
        cfg.injector.namespace,
        SERVICE_PORT,
    )
    assert spec["timeoutSeconds"] <= 30


def test_ca_bundle_is_the_webhook_ca_base64() -> None:
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    assert base64.b64decode(tls.ca_bundle(pem)).decode() == pem


@pytest.mark.parametrize("stack", STACKS)
def test_webhook_waits_for_an_injector_that_can_answer(program, stack) -> None:
    resources = program(stack)
    [hook] = _mine(program, stack, "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration")
    urns = {r.name: r.urn for r in resources}
    for name in ("injector", "injector-svc", "injector-networkpolicy", "injector-webhook-from-control-plane"):
        assert urns[name] in hook.dependencies, name


@pytest.mark.parametrize("stack", STACKS)
def test_serving_certificate_names_the_service(program, config, stack) -> None:
    [csr] = _mine(program, stack, "tls:index/certRequest:CertRequest")
    assert set(service_hosts(config(stack))) <= set(csr.inputs["dnsNames"])
    [cert] = _mine(program, stack, "tls:index/locallySignedCert:LocallySignedCert")
    assert "server_auth" in cert.inputs["allowedUses"]


def test_cluster_role_only_watches_webhook_configurations(config) -> None:
    role = rbac.cluster_role_manifest(config("prod"))
    assert role["rules"] == [
        {
            "apiGroups": ["admissionregistration.k8s.io"],
            "resources": ["mutatingwebhookconfigurations"],
            "verbs": ["get", "list", "watch"],
        }
    ]


def test_deployment_serves_our_certificate_hardened_and_spread(config) -> None:
    cfg = config("prod")
    m = deployment.deployment_manifest(cfg, "abc")
    pod = m["spec"]["template"]["spec"]
    [container] = pod["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert "AGENT_INJECT_TLS_AUTO" not in env  # no self-generated certificate, no caBundle patching
    assert env["AGENT_INJECT_TLS_CERT_FILE"].endswith("/tls.crt")
    assert env["AGENT_INJECT_VAULT_IMAGE"] == cfg.injector.agent_image
    assert env["AGENT_INJECT_VAULT_ADDR"] == "https://vault.vault.svc:8200"
    assert env["AGENT_INJECT_VAULT_AUTH_PATH"] == f"auth/{cfg.kubernetes_auth.path}"
    assert container["image"] == cfg.injector.image
    assert container["ports"][0]["containerPort"] == PORT
    assert pod["volumes"] == [{"name": "webhook-certs", "secret": {"secretName": TLS_SECRET}}]
    sc = container["securityContext"]
    assert sc["runAsNonRoot"] and sc["readOnlyRootFilesystem"] and not sc["allowPrivilegeEscalation"]
    assert sc["capabilities"] == {"drop": ["ALL"]}
    assert container["resources"]["limits"]["memory"] == cfg.injector.resources.memory_limit
    assert m["spec"]["replicas"] == cfg.injector.replicas >= 2
    assert m["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    anti = pod["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert anti[0]["topologyKey"] == "kubernetes.io/hostname"


def test_a_reissued_certificate_rolls_the_pods(config) -> None:
    cfg = config("prod")
    before = deployment.deployment_manifest(cfg, deployment.cert_checksum("cert-1"))
    after = deployment.deployment_manifest(cfg, deployment.cert_checksum("cert-2"))
    key = deployment.CHECKSUM_ANNOTATION
    assert (
        before["spec"]["template"]["metadata"]["annotations"][key]
        != after["spec"]["template"]["metadata"]["annotations"][key]
    )


@pytest.mark.parametrize("stack", STACKS)
def test_only_the_control_plane_reaches_the_injector(program, config, stack) -> None:
    cfg = config(stack)
    [policy] = _mine(program, stack, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
    assert policy.inputs["spec"]["ingress"] == [
        {"from": [{"ipBlock": {"cidr": cfg.gcp.master_cidr}}], "ports": [{"protocol": "TCP", "port": PORT}]}
    ]
    [rule] = [r for r in program(stack) if r.name == "injector-webhook-from-control-plane"]
    assert rule.inputs["sourceRanges"] == [cfg.gcp.master_cidr]
    assert rule.inputs["allows"] == [{"protocol": "tcp", "ports": [str(PORT)]}]
    assert rule.inputs["direction"] == "INGRESS"


@pytest.mark.parametrize("stack", STACKS)
def test_each_service_namespace_gets_the_vault_ca_only(program, config, stack) -> None:
    cfg = config(stack)
    secrets = [
        r for r in _mine(program, stack, "kubernetes:core/v1:Secret") if r.name.startswith("vault-ca-")
    ]
    assert sorted(r.inputs["metadata"]["namespace"] for r in secrets) == cfg.service_namespaces()
    for r in secrets:
        assert set(unwrap(r.inputs["stringData"])) == {"ca.crt"}
        assert r.inputs["metadata"]["name"] == "vault-ca"


def test_webhook_manifest_is_a_valid_object(config) -> None:
    m = webhook.webhook_manifest(config("prod"), None)
    assert m["webhooks"][0]["clientConfig"]["caBundle"] == ""  # unknown CA at first preview, filled at up
