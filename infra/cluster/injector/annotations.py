"""Per catalog service, the pod annotations that make the injector deliver what the catalog grants.

Pure: config in, `{annotation: value}` out. Every secret becomes one file in `/vault/secrets` holding a
JSON object (never an env file: nothing lands in the process environment, `ps`, crash dumps or child
processes), rendered by a template the annotation carries:

- `kv.json`: the service's own subtree `apps/<service>/` as `{secret: {key: value}}`, listed at render
  time, so a secret added later appears without a new annotation;
- `ai-<provider>.json`: the provider key at `ai/providers/<provider>/<service>`;
- `kv-<path>.json`: each extra KV path the catalog lets it read;
- `database.json`: `{username, password}` of its database role (a lease the sidecar renews);
- `aws.json`: its AWS credentials (a lease, or an STS credential re-issued before it expires);
- transit grants are an API, not a file: the agent writes its token to `/vault/secrets/token`.

Init-only or sidecar (`agent-pre-populate-only`): a lease must be renewed while the pod lives, and a
revoked one replaced, so services with database or AWS credentials or transit keys get a sidecar. A
service that only reads static KV gets the init container alone: it renders before the app starts, holds
no token afterwards and costs no resident agent; a rotated KV value reaches it with the next rollout.
`kubernetes.agent: sidecar` keeps a KV-only service's files current instead (re-read every
`injector.static_secret_render_interval`).
"""

from __future__ import annotations

import hashlib

from infra.cluster.injector.layout import SA_TOKEN_VOLUME, VAULT_CA_SECRET
from infra.config import Service, StackConfig

PREFIX = "vault.hashicorp.com/"
SECRETS_DIR = "/vault/secrets"  # vault-k8s secretVolumePath
CA_CERT = "/vault/tls/ca.crt"  # vault-k8s mounts `tls-secret` at /vault/tls (tlsSecretVolumePath)
# A Kubernetes annotation key's name part is at most 63 characters; the longest prefix we put before a
# secret's name is `agent-inject-template-` (22).
_MAX_SECRET_NAME = 63 - len("agent-inject-template-")


def _duration(seconds: int) -> str:
    return f"{seconds}s"


def _json_of(path: str, field: str, *params: str) -> str:
    """The secret's `field` as JSON; consul-template's `secret` writes with params (AWS STS)."""
    args = " ".join(f'"{p}"' for p in (path, *params))
    return f"{{{{ with secret {args} }}}}{{{{ {field} | toJSONPretty }}}}\n{{{{ end }}}}"


def _kv_subtree(kv_mount: str, service: str) -> str:
    # Lists the subtree at render time (kv-own-* grants list on metadata) and reads each secret; nested
    # folders are skipped (they list with a trailing '/').
    listing = f"{kv_mount}/metadata/apps/{service}/"
    data = f"{kv_mount}/data/apps/{service}/%s"
    return (
        f'{{{{- range $name := secrets "{listing}" }}}}'
        f'{{{{- if not ($name | contains "/") }}}}'
        f'{{{{- with secret (printf "{data}" $name) }}}}{{{{ scratch.MapSet "kv" $name .Data.data }}}}{{{{ end }}}}'
        "{{- end }}{{- end }}"
        '{{- if scratch.Key "kv" }}{{ scratch.Get "kv" | toJSONPretty }}{{ else }}{}{{ end }}\n'
    )


def _name(raw: str) -> str:
    name = raw.replace("/", "-").lower()
    if len(name) <= _MAX_SECRET_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: _MAX_SECRET_NAME - 9]}-{digest}"


def secret_files(service: Service, cfg: StackConfig) -> list[tuple[str, str, str]]:
    """(name, vault path, template) for every file the service's pod gets, in a stable order."""
    kv = cfg.kv.path
    files: list[tuple[str, str, str]] = []
    if service.kv.own != "none":
        files.append(("kv", f"{kv}/metadata/apps/{service.name}/", _kv_subtree(kv, service.name)))
    for provider in service.kv.ai_providers:
        path = f"{kv}/data/ai/providers/{provider}/{service.name}"
        files.append((f"ai-{provider}", path, _json_of(path, ".Data.data")))
    for extra in service.kv.read:
        path = f"{kv}/data/{extra}"
        files.append((_name(f"kv-{extra}"), path, _json_of(path, ".Data.data")))
    if service.database_role and cfg.database:
        path = f"{cfg.database.path}/creds/{service.database_role}"
        files.append(("database", path, _json_of(path, ".Data")))
    if service.aws_role and cfg.aws:
        role = next(r for r in cfg.aws.roles if r.name == service.aws_role)
        if role.credential_type == "assumed_role":
            path = f"{cfg.aws.path}/sts/{role.name}"
            files.append(("aws", path, _json_of(path, ".Data", f"ttl={role.default_sts_ttl}s")))
        else:
            path = f"{cfg.aws.path}/creds/{role.name}"
            files.append(("aws", path, _json_of(path, ".Data")))
    return files


def needs_sidecar(service: Service) -> bool:
    """Leases (database, AWS) must be renewed and transit needs a live token; static KV does not."""
    assert service.kubernetes is not None
    if service.kubernetes.agent != "auto":
        return service.kubernetes.agent == "sidecar"
    return bool(service.database_role or service.aws_role or service.transit)


def pod_annotations(service: Service, cfg: StackConfig) -> dict[str, str]:
    """What the service's pod template carries; the injector adds the Vault address and auth path."""
    if service.kubernetes is None:
        raise ValueError(f"services[{service.name}]: no kubernetes identity, nothing to inject into")
    # Local import: infra.vault imports pulumi_vault, which the cluster layer and the CLI do not need.
    from infra.vault.kubernetes_auth import service_role_name

    injector = cfg.injector
    sidecar = needs_sidecar(service)
    res = injector.agent_resources
    a: dict[str, str] = {
        "agent-inject": "true",
        "role": service_role_name(service),
        # The projected token with Vault's audience (the auth role's `audience`), not the API server's.
        "agent-service-account-token-volume-name": SA_TOKEN_VOLUME,
        "agent-pre-populate-only": "false" if sidecar else "true",
        "tls-secret": VAULT_CA_SECRET,
        "ca-cert": CA_CERT,
        "agent-requests-cpu": res.cpu_request,
        "agent-limits-cpu": res.cpu_limit,
        "agent-requests-mem": res.memory_request,
        "agent-limits-mem": res.memory_limit,
    }
    if sidecar:
        a["template-static-secret-render-interval"] = _duration(injector.static_secret_render_interval)
        # A pod that stops revokes its token, and with it its database/AWS leases, at once, not at TTL.
        a["agent-revoke-on-shutdown"] = "true"
    if service.transit:
        a["agent-inject-token"] = "true"
    for name, path, template in secret_files(service, cfg):
        a[f"agent-inject-secret-{name}"] = path
        a[f"agent-inject-template-{name}"] = template
        a[f"agent-inject-file-{name}"] = f"{name}.json"
        a[f"agent-inject-perms-{name}"] = injector.file_mode
    return {PREFIX + key: value for key, value in a.items()}


def pod_spec_fragment(service: Service, cfg: StackConfig) -> dict:
    """The rest of the pod template the annotations rely on: its account, the Vault-audience token the
    agent logs in with, and the group that may read the rendered files."""
    from infra.cluster.injector.layout import AGENT_GID, SA_TOKEN_TTL
    from infra.config import KubernetesIdentity

    k8s = service.kubernetes
    assert isinstance(k8s, KubernetesIdentity)
    return {
        "serviceAccountName": k8s.service_account,
        # Files are written by the agent (uid 100) with mode `injector.file_mode`; the app reads them
        # through this group (the emptyDir is group-owned by fsGroup).
        "securityContext": {"fsGroup": AGENT_GID},
        "volumes": [
            {
                "name": SA_TOKEN_VOLUME,
                "projected": {
                    "sources": [
                        {
                            "serviceAccountToken": {
                                "audience": cfg.kubernetes_auth.audience,
                                "expirationSeconds": SA_TOKEN_TTL,
                                "path": "token",
                            }
                        }
                    ]
                },
            }
        ],
    }


def all_pod_annotations(cfg: StackConfig) -> dict[str, dict[str, str]]:
    return {s.name: pod_annotations(s, cfg) for s in cfg.services if s.kubernetes}
