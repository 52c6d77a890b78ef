"""The Vault Agent configuration vault-k8s builds from a pod's annotations, as a pure function.

Mirrors hashicorp/vault-k8s v1.7.x: `agent-inject/agent/annotations.go` (`Init`: the injector's
defaults for annotations a pod leaves out; `secrets`: the per-secret annotations; `authConfig`),
`agent-inject/agent/agent.go` (`New`, `serviceaccount`: the token path) and
`agent-inject/agent/config.go` (`newConfig`, `newTemplateConfigs`: the JSON the agent container decodes
from `VAULT_CONFIG` and runs with `vault agent -config=/home/vault/config.json`). The key names, what is
omitted when empty (Go `omitempty`) and the defaults are vault-k8s's; only the features our annotations
use are mirrored, and an annotation outside them is refused rather than silently ignored.

One difference, on purpose: vault-k8s collects secrets from a Go map, so its `template` list comes in
random order; here it is sorted by secret name (the agent renders each template independently).

`relocate` rewrites the container paths (`/vault/secrets`, `/home/vault`, the token and CA mounts) to
local directories, which is the only change a local `bao agent` run makes to this configuration.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from infra.cluster.injector.annotations import PREFIX

# vault-k8s constants (agent-inject/agent/config.go, agent.go, container_volume.go).
PID_FILE = "/home/vault/.pid"
TOKEN_FILE = "/home/vault/.vault-token"  # noqa: S105 (a path)
SECRET_VOLUME_PATH = "/vault/secrets"  # noqa: S105 (a path)
SERVICE_ACCOUNT_MOUNT = "/var/run/secrets/vault.hashicorp.com/serviceaccount"
DEFAULT_MAP_TEMPLATE = (
    '{{ with secret "%s" }}{{ range $k, $v := .Data }}{{ $k }}: {{ $v }}\n{{ end }}{{ end }}'
)
DEFAULT_JSON_TEMPLATE = '{{ with secret "%s" }}{{ .Data | toJSON }}\n{{ end }}'

# Annotations whose effect on the agent's config is mirrored below; the rest of what we generate only
# shapes the containers (resources, TLS volume, pre-populate, revoke on shutdown).
_CONTAINER_ONLY = {
    "agent-inject",
    "agent-pre-populate-only",
    "agent-pre-populate",
    "agent-revoke-on-shutdown",
    "agent-requests-cpu",
    "agent-limits-cpu",
    "agent-requests-mem",
    "agent-limits-mem",
    "tls-secret",
    "agent-service-account-token-volume-name",
}
_CONFIG = {
    "role",
    "ca-cert",
    "service",
    "auth-path",
    "auth-type",
    "secret-volume-path",
    "agent-inject-token",
    "agent-inject-default-template",
    "template-static-secret-render-interval",
    "template-config-exit-on-retry-failure",
}
_PER_SECRET = ("agent-inject-secret-", "agent-inject-template-", "agent-inject-file-", "agent-inject-perms-")


@dataclass(frozen=True)
class InjectorDefaults:
    """The injector's flags/env (`AGENT_INJECT_*`) that `Init` turns into pod annotations."""

    address: str  # AGENT_INJECT_VAULT_ADDR
    auth_path: str = "auth/kubernetes"  # AGENT_INJECT_VAULT_AUTH_PATH
    auth_type: str = "kubernetes"  # AGENT_INJECT_VAULT_AUTH_TYPE
    default_template: str = "map"  # AGENT_INJECT_DEFAULT_TEMPLATE
    exit_on_retry_failure: bool = True  # AGENT_INJECT_TEMPLATE_CONFIG_EXIT_ON_RETRY_FAILURE
    static_secret_render_interval: str = ""  # AGENT_INJECT_TEMPLATE_STATIC_SECRET_RENDER_INTERVAL


def _bool(value: str) -> bool:
    # go-secure-stdlib parseutil.ParseBool -> strconv.ParseBool
    lowered = value.strip()
    if lowered in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if lowered in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    raise ValueError(f"not a boolean: {value!r}")


def _with_defaults(annotations: Mapping[str, str], defaults: InjectorDefaults) -> dict[str, str]:
    """`Init`: the injector fills what the pod left out; a pod's own annotation wins."""
    a = {k.removeprefix(PREFIX): v for k, v in annotations.items() if k.startswith(PREFIX)}
    for key, value in (
        ("service", defaults.address),
        ("auth-type", defaults.auth_type),
        ("auth-path", defaults.auth_path),
        ("secret-volume-path", SECRET_VOLUME_PATH),
        ("agent-inject-default-template", defaults.default_template),
        ("template-config-exit-on-retry-failure", "true" if defaults.exit_on_retry_failure else "false"),
        ("template-static-secret-render-interval", defaults.static_secret_render_interval),
    ):
        a.setdefault(key, value)
    return a


def _check_supported(a: Mapping[str, str]) -> None:
    for key in a:
        if key in _CONTAINER_ONLY or key in _CONFIG or key.startswith(_PER_SECRET):
            continue
        raise ValueError(f"{PREFIX}{key}: not mirrored by infra/cluster/injector/agent_config.py")


def _templates(a: Mapping[str, str]) -> list[dict[str, Any]]:
    """`secrets()` + `newTemplateConfigs()`: one template per `agent-inject-secret-<name>`."""
    names = sorted(
        {
            key.removeprefix(prefix)
            for key, value in a.items()
            for prefix in ("agent-inject-secret-", "agent-inject-template-")
            if key.startswith(prefix) and value.strip()
        }
    )
    templates = []
    for raw in names:
        name = raw.lower()  # preserve-secret-case is not set: vault-k8s lower-cases the name
        path = a.get(f"agent-inject-secret-{raw}", "")
        contents = a.get(f"agent-inject-template-{raw}", "")
        if not contents:
            fmt = (
                DEFAULT_JSON_TEMPLATE
                if a["agent-inject-default-template"] == "json"
                else DEFAULT_MAP_TEMPLATE
            )
            contents = fmt % path
        mount = a["secret-volume-path"]
        file_name = a.get(f"agent-inject-file-{raw}", "")
        template: dict[str, Any] = {
            "destination": posixpath.join(mount, file_name) if file_name else f"{mount}/{name}",
            "contents": contents,
            "left_delimiter": "{{",
            "right_delimiter": "}}",
        }
        perms = a.get(f"agent-inject-perms-{raw}", "")
        if perms:
            template["perms"] = perms
        templates.append(template)
    return templates


def agent_config(annotations: Mapping[str, str], defaults: InjectorDefaults, *, init: bool) -> dict[str, Any]:
    """The agent's config for the init container (`init=True`: exit after auth) or the sidecar."""
    a = _with_defaults(annotations, defaults)
    _check_supported(a)
    auth_config: dict[str, Any] = {}
    if a.get("agent-service-account-token-volume-name"):
        # serviceaccount(): a projected volume not mounted by the app lands on DefaultServiceAccountMount,
        # the file name is the projection's `path` ("token" in what we generate).
        auth_config["token_path"] = posixpath.join(SERVICE_ACCOUNT_MOUNT, "token")
    if a.get("role"):
        auth_config["role"] = a["role"]
    vault: dict[str, Any] = {"address": a["service"]}
    if a.get("ca-cert"):
        vault["ca_cert"] = a["ca-cert"]
    sinks: list[dict[str, Any]] = [{"type": "file", "config": {"path": TOKEN_FILE}}]
    if _bool(a.get("agent-inject-token", "false")):
        sinks.append({"type": "file", "config": {"path": posixpath.join(a["secret-volume-path"], "token")}})
    method: dict[str, Any] = {"type": a["auth-type"], "mount_path": a["auth-path"]}
    if auth_config:
        method["config"] = auth_config
    config: dict[str, Any] = {
        "auto_auth": {"method": method, "sink": sinks},
        "exit_after_auth": init,
        "pid_file": PID_FILE,
        "vault": vault,
    }
    templates = _templates(a)
    if templates:
        config["template"] = templates
    template_config: dict[str, Any] = {
        "exit_on_retry_failure": _bool(a["template-config-exit-on-retry-failure"])
    }
    if a["template-static-secret-render-interval"]:
        template_config["static_secret_render_interval"] = a["template-static-secret-render-interval"]
    config["template_config"] = template_config
    return config


def relocate(config: Mapping[str, Any], mapping: Mapping[str, str]) -> dict[str, Any]:
    """The config with every path under a key of `mapping` moved under its value (a local run)."""

    def move(value: Any) -> Any:
        if isinstance(value, str):
            for container, local in mapping.items():
                if value == container or value.startswith(container.rstrip("/") + "/"):
                    return local.rstrip("/") + value[len(container.rstrip("/")) :]
            return value
        if isinstance(value, Mapping):
            return {k: (v if k == "contents" else move(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [move(v) for v in value]
        return value

    return move(config)
