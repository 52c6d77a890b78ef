"""Render ACL policies from the templates in `policies/acl/`. Pure: config in, policy text out.

Policies are generated from the services catalog, one template per access pattern, so adding a service
is one catalog entry and no policy text is hand-written per service. The catalog's values are
validated (plain path segments, DNS-1123 names) before they reach a template, so a placeholder can
never become a glob.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from string import Template

import policies
from infra.config import Service, StackConfig

TEMPLATES = Path(policies.__file__).resolve().parent / "acl"

KV_OWN = {"read": "kv-own-read", "write": "kv-own-write"}
TOKEN_SELF = "token-self"  # noqa: S105 (a policy name)
SNAPSHOT = "snapshot"
DEPLOYER = "deployer"
AWS_ENDPOINT = {"iam_user": ("creds", "read"), "assumed_role": ("sts", "update")}


@dataclass(frozen=True)
class RenderedPolicy:
    name: str
    text: str


def render_template(template: str, **values: str) -> str:
    """One template with its placeholders filled; a missing value is an error, never an empty string."""
    return Template((TEMPLATES / f"{template}.hcl").read_text()).substitute(values)


def _join(name: str, purpose: str, fragments: list[str]) -> RenderedPolicy:
    header = f"# {name}: {purpose}\n# Generated from policies/acl/ by infra/vault/acl.py; edit the templates, not this text.\n"
    return RenderedPolicy(name, header + "\n".join(fragments))


def service_policy_name(service: Service) -> str:
    return f"svc-{service.name}"


def service_policy(service: Service, cfg: StackConfig) -> RenderedPolicy:
    kv = cfg.kv.path
    parts = [render_template("kv-read", kv_mount=kv, path=path) for path in service.kv.read]
    parts += [
        render_template("ai-provider-key", kv_mount=kv, provider=provider, service=service.name)
        for provider in service.kv.ai_providers
    ]
    if service.database_role and cfg.database:
        parts.append(render_template("db-creds", db_mount=cfg.database.path, role=service.database_role))
    if service.aws_role and cfg.aws:
        role = next(r for r in cfg.aws.roles if r.name == service.aws_role)
        endpoint, capability = AWS_ENDPOINT[role.credential_type]
        parts.append(
            render_template(
                "aws-creds", aws_mount=cfg.aws.path, endpoint=endpoint, capability=capability, role=role.name
            )
        )
    for grant in service.transit:
        parts += [
            render_template(f"transit-{operation}", transit_mount=cfg.transit.path, key=grant.key)
            for operation in grant.operations
        ]
    if not parts:
        # A policy with no paths grants nothing; keep it so roles can always name it.
        parts.append("# (no grants beyond the shared policies)\n")
    return _join(service_policy_name(service), f"what service {service.name} may use", parts)


def service_token_policies(service: Service) -> list[str]:
    """Policies attached to every token a service logs in with (Kubernetes or JWT)."""
    names = [service_policy_name(service), TOKEN_SELF]
    if service.kv.own != "none":
        names.append(KV_OWN[service.kv.own])
    if service.openai:
        names.append(OPENAI_CREDS)
    return names


def shared_policies(cfg: StackConfig) -> list[RenderedPolicy]:
    kv = cfg.kv.path
    rendered = [
        RenderedPolicy(name, render_template(name, kv_mount=kv)) for name in (KV_OWN["read"], KV_OWN["write"])
    ]
    rendered.append(RenderedPolicy(TOKEN_SELF, render_template(TOKEN_SELF)))
    rendered.append(RenderedPolicy(SNAPSHOT, render_template(SNAPSHOT)))
    return rendered


def deployer_policy(cfg: StackConfig) -> RenderedPolicy:
    parts = [render_template("deployer-base")]
    if cfg.cluster.server == "vault":
        parts.append(render_template("deployer-audit"))
    mounts = [cfg.kv.path, cfg.transit.path]
    if cfg.database:
        mounts.append(cfg.database.path)
    if cfg.aws:
        mounts.append(cfg.aws.path)
    parts += [render_template("deployer-mount", mount=mount) for mount in mounts]
    parts += [
        render_template("deployer-auth", mount=mount)
        for mount in (cfg.kubernetes_auth.path, cfg.github_oidc.path)
    ]
    parts.append(render_template("deployer-kv", kv_mount=cfg.kv.path))
    parts.append(render_template("deployer-transit", transit_mount=cfg.transit.path))
    if cfg.database:
        parts.append(render_template("deployer-database", db_mount=cfg.database.path))
    if cfg.aws:
        parts.append(render_template("deployer-aws", aws_mount=cfg.aws.path))
    return _join(DEPLOYER, "the CI identity that applies this Vault configuration layer", parts)


def all_policies(cfg: StackConfig) -> list[RenderedPolicy]:
    return [
        *shared_policies(cfg),
        deployer_policy(cfg),
        *(service_policy(s, cfg) for s in cfg.services),
        *ai_key_policies(cfg),
    ]


# --------------------------------------------------------------------------- model-provider keys (issue 17)

AI_KEYS_ROTATOR = "ai-keys-rotator"
AI_KEYS_AUDITOR = "ai-keys-auditor"
OPENAI_CREDS = "openai-creds"


def ai_key_policies(cfg: StackConfig) -> list[RenderedPolicy]:
    """The rotator (operators' `vaultctl keys rotate`: exactly the declared keys), the auditor (the
    overdue report: key metadata only) and, with the OpenAI plugin, the templated `creds` policy."""
    kv = cfg.kv.path
    rotator = [
        render_template("ai-keys-rotator", kv_mount=kv, provider=key.provider, service=service.name)
        for service, key in cfg.provider_keys()
    ]
    # The template's explanation once, then only the path blocks of the other keys.
    rotator = rotator[:1] + [
        "\n".join(line for line in text.splitlines() if not line.startswith("#")) + "\n"
        for text in rotator[1:]
    ] or ["# (no provider keys in the catalog)\n"]
    rendered = [
        _join(AI_KEYS_ROTATOR, "rotate the catalog's provider keys (vaultctl keys rotate)", rotator),
        _join(
            AI_KEYS_AUDITOR,
            "report provider keys' age (vaultctl keys status)",
            [render_template("ai-keys-auditor", kv_mount=kv)],
        ),
    ]
    if cfg.openai:
        rendered.append(
            _join(
                OPENAI_CREDS,
                "each service's own dynamic OpenAI key",
                [render_template("openai-creds", openai_mount=cfg.openai.path)],
            )
        )
    return rendered
