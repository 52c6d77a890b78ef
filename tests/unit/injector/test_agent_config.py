"""The agent configuration mirrored from vault-k8s (agent-inject/agent/config.go, annotations.go)."""

from __future__ import annotations

import json

import pytest

from infra.cluster.injector.agent_config import (
    PID_FILE,
    TOKEN_FILE,
    InjectorDefaults,
    agent_config,
    relocate,
)
from infra.cluster.injector.annotations import PREFIX, pod_annotations
from infra.cluster.injector.deployment import injector_defaults
from infra.config import parse_stack_config
from infra.harness import read_stack_config

DEFAULTS = InjectorDefaults(address="https://vault.vault.svc:8200", static_secret_render_interval="300s")


def _billing():
    cfg = parse_stack_config(read_stack_config("local"))
    return cfg, next(s for s in cfg.services if s.name == "billing")


def test_sidecar_config_of_a_service() -> None:
    cfg, billing = _billing()
    config = agent_config(pod_annotations(billing, cfg), injector_defaults(cfg), init=False)
    assert config["exit_after_auth"] is False and config["pid_file"] == PID_FILE
    assert config["vault"] == {"address": "https://vault.vault.svc:8200", "ca_cert": "/vault/tls/ca.crt"}
    method = config["auto_auth"]["method"]
    assert method == {
        "type": "kubernetes",
        "mount_path": "auth/kubernetes",
        "config": {
            "token_path": "/var/run/secrets/vault.hashicorp.com/serviceaccount/token",
            "role": "billing",
        },
    }
    sinks = [s["config"]["path"] for s in config["auto_auth"]["sink"]]
    assert sinks == [TOKEN_FILE, "/vault/secrets/token"]  # agent-inject-token: the transit grant
    destinations = [t["destination"] for t in config["template"]]
    assert destinations == ["/vault/secrets/database.json", "/vault/secrets/kv.json"]
    assert {t["perms"] for t in config["template"]} == {cfg.injector.file_mode}
    assert config["template_config"] == {
        "exit_on_retry_failure": True,
        "static_secret_render_interval": f"{cfg.injector.static_secret_render_interval}s",
    }
    json.dumps(config)  # what the container decodes from VAULT_CONFIG


def test_init_container_exits_after_auth() -> None:
    cfg, billing = _billing()
    assert agent_config(pod_annotations(billing, cfg), injector_defaults(cfg), init=True)["exit_after_auth"]


def test_pod_annotation_wins_over_the_injector_default() -> None:
    config = agent_config({PREFIX + "role": "r", PREFIX + "auth-path": "auth/other"}, DEFAULTS, init=False)
    assert config["auto_auth"]["method"]["mount_path"] == "auth/other"


def test_secret_without_template_gets_the_default_one() -> None:
    annotations = {PREFIX + "role": "r", PREFIX + "agent-inject-secret-Foo": "kv/data/x"}
    [template] = agent_config(annotations, DEFAULTS, init=False)["template"]
    assert template["destination"] == "/vault/secrets/foo"  # lower-cased, as vault-k8s does
    assert template["contents"].startswith('{{ with secret "kv/data/x" }}{{ range $k, $v := .Data }}')


def test_an_annotation_the_mirror_does_not_know_is_refused() -> None:
    with pytest.raises(ValueError, match="agent-cache-enable"):
        agent_config({PREFIX + "role": "r", PREFIX + "agent-cache-enable": "true"}, DEFAULTS, init=False)


def test_relocate_moves_paths_not_templates() -> None:
    cfg, billing = _billing()
    config = agent_config(pod_annotations(billing, cfg), injector_defaults(cfg), init=False)
    moved = relocate(config, {"/vault/secrets": "/tmp/pod/secrets", "/home/vault": "/tmp/pod/home"})
    assert moved["pid_file"] == "/tmp/pod/home/.pid"
    assert [t["destination"] for t in moved["template"]] == [
        "/tmp/pod/secrets/database.json",
        "/tmp/pod/secrets/kv.json",
    ]
    assert [t["contents"] for t in moved["template"]] == [t["contents"] for t in config["template"]]
    assert moved["vault"] == config["vault"]  # not in the mapping: untouched
