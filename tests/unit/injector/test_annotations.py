"""Pod annotations per catalog service: the role the program declares, one JSON file per grant, the
init-only / sidecar choice per kind, and `vaultctl annotations` printing exactly them."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

import pytest
import yaml

from infra.cluster.injector.annotations import PREFIX, needs_sidecar, pod_annotations, pod_spec_fragment
from infra.cluster.injector.cli import main as annotations_main
from infra.config import parse_stack_config
from infra.harness import read_stack_config

K8S_ROLE = "vault:kubernetes/authBackendRole:AuthBackendRole"


def _cfg(stack: str, **overrides):
    return parse_stack_config(read_stack_config(stack, overrides or None))


def _files(annotations: dict[str, str]) -> set[str]:
    return {k.removeprefix(PREFIX + "agent-inject-file-") for k in annotations if "agent-inject-file-" in k}


@pytest.mark.parametrize("stack", ["prod", "staging", "local"])
def test_role_is_the_declared_kubernetes_role_of_that_account(program, stack) -> None:
    cfg = _cfg(stack)
    roles = {r.inputs["roleName"]: r.inputs for r in program(stack) if r.type == K8S_ROLE}
    for service in cfg.services:
        if not service.kubernetes:
            continue
        role = roles[pod_annotations(service, cfg)[PREFIX + "role"]]
        assert role["boundServiceAccountNames"] == [service.kubernetes.service_account]
        assert role["boundServiceAccountNamespaces"] == [service.kubernetes.namespace]
        # The pod's projected token carries the audience the role demands.
        [volume] = pod_spec_fragment(service, cfg)["volumes"]
        assert volume["projected"]["sources"][0]["serviceAccountToken"]["audience"] == role["audience"]


def test_one_file_per_grant() -> None:
    cfg = _cfg("prod")
    by_name = {s.name: s for s in cfg.services}
    assert _files(pod_annotations(by_name["billing"], cfg)) == {"kv", "database"}
    assert _files(pod_annotations(by_name["analytics"], cfg)) == {"database", "aws"}  # kv own: none
    assert _files(pod_annotations(by_name["ai-gateway"], cfg)) == {"kv", "ai-openai", "ai-anthropic"}
    assert _files(pod_annotations(by_name["support-bot"], cfg)) == {"kv", "ai-anthropic"}
    a = pod_annotations(by_name["analytics"], cfg)
    assert a[PREFIX + "agent-inject-secret-aws"] == "aws/creds/analytics-s3-read"
    assert a[PREFIX + "agent-inject-secret-database"] == "database/creds/readonly"
    assert a[PREFIX + "agent-inject-file-database"] == "database.json"
    assert a[PREFIX + "agent-inject-perms-database"] == cfg.injector.file_mode


def test_files_are_json_never_env() -> None:
    cfg = _cfg("prod")
    for service in cfg.services:
        if not service.kubernetes:
            continue
        for key, value in pod_annotations(service, cfg).items():
            if "agent-inject-template-" in key:
                # Every output is one JSON document: the template's last action pipes to toJSONPretty.
                assert "| toJSONPretty }}" in value and "export" not in value.lower(), key
            if "agent-inject-file-" in key:
                assert value.endswith(".json")


@pytest.mark.parametrize(
    ("service", "agent", "sidecar"),
    [
        ("billing", "auto", True),  # database lease + transit token
        ("analytics", "auto", True),  # database + AWS leases
        ("ai-gateway", "auto", False),  # static KV only: rendered once before the app starts
        ("support-bot", "auto", False),
        ("ai-gateway", "sidecar", True),  # asked for: keeps provider keys current without a rollout
    ],
)
def test_pre_populate_only_per_kind(service: str, agent: str, sidecar: bool) -> None:
    cfg = _cfg("prod")
    s = next(x for x in cfg.services if x.name == service)
    s = s.model_copy(update={"kubernetes": s.kubernetes.model_copy(update={"agent": agent})})
    assert needs_sidecar(s) is sidecar
    a = pod_annotations(s, cfg)
    assert a[PREFIX + "agent-pre-populate-only"] == ("false" if sidecar else "true")
    assert (PREFIX + "agent-revoke-on-shutdown" in a) is sidecar
    assert (PREFIX + "template-static-secret-render-interval" in a) is sidecar


def test_transit_services_get_the_token_file_only() -> None:
    cfg = _cfg("prod")
    for service in cfg.services:
        if service.kubernetes:
            a = pod_annotations(service, cfg)
            assert (a.get(PREFIX + "agent-inject-token") == "true") is bool(service.transit), service.name


def test_annotation_keys_are_valid_kubernetes_keys() -> None:
    long_path = "shared/" + "x" * 60
    cfg = _cfg("local")
    service = next(s for s in cfg.services if s.name == "billing")
    service = service.model_copy(update={"kv": service.kv.model_copy(update={"read": [long_path]})})
    for key in pod_annotations(service, cfg):
        prefix, _, name = key.partition("/")
        assert prefix == "vault.hashicorp.com" and 0 < len(name) <= 63, key


def test_agent_resources_and_tls_come_from_config() -> None:
    cfg = _cfg("prod", injector={"agent_resources": {"memory_limit": "96Mi"}})
    a = pod_annotations(cfg.services[0], cfg)
    assert a[PREFIX + "agent-limits-mem"] == "96Mi"
    ca_secret = a[PREFIX + "tls-secret"]
    assert ca_secret == "vault-ca"  # pragma: allowlist secret (a Secret object's name)
    assert a[PREFIX + "ca-cert"] == "/vault/tls/ca.crt"


def test_cli_prints_the_annotations_as_yaml() -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        assert annotations_main(["billing", "--stack", "prod"]) == 0
    printed = yaml.safe_load(out.getvalue())
    cfg = _cfg("prod")
    billing = next(s for s in cfg.services if s.name == "billing")
    assert printed["metadata"]["annotations"] == pod_annotations(billing, cfg)
    assert printed["spec"]["serviceAccountName"] == "billing-api"


@pytest.mark.parametrize("name", ["nope", "ml-models-ci"])  # unknown, and a CI-only service
def test_cli_refuses_a_service_without_pods(name: str) -> None:
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        assert annotations_main([name, "--stack", "prod"]) == 2
    assert "no Kubernetes service" in err.getvalue()
