"""Render ACL policies from the templates in `policies/acl/`. Pure: config in, policy text out.

Policies are generated from the services catalog, one template per access pattern, so adding a service
is one catalog entry and no policy text is hand-written per service. The catalog's values are
validated (plain path segments, DNS-1123 names) before they reach a template, so a placeholder can
never become a glob.

Two CI identities are rendered here too. The `deployer` policy grants exactly the calls the Terraform
Vault provider (inside pulumi-vault) makes for the resources this program declares, with the values
that could turn a config applier into root pinned by `allowed_parameters`; the `previewer` policy
grants the reads its Read functions make, nothing writable. Both are written by `vaultctl init` and
adopted by the program: the deployer cannot write either (policies/README.md, "The deployer").
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Template

import policies
from infra.config import Service, StackConfig
from infra.vault.database import connection_url

TEMPLATES = Path(policies.__file__).resolve().parent / "acl"

KV_OWN = {"read": "kv-own-read", "write": "kv-own-write"}
TOKEN_SELF = "token-self"  # noqa: S105 (a policy name)
SNAPSHOT = "snapshot"
DEPLOYER = "deployer"
PREVIEWER = "previewer"
SERVICE_PREFIX = "svc-"
CI_ROLE_PREFIX = "ci-"
# Written by `vaultctl init` with an operator's token, adopted by the program, read-only to CI: a CI
# identity must not be able to change what a CI identity may do.
BOOTSTRAP_POLICIES = (DEPLOYER, PREVIEWER)
BOOTSTRAP_ROLES = (DEPLOYER, PREVIEWER)
AWS_ENDPOINT = {"iam_user": ("creds", "read"), "assumed_role": ("sts", "update")}


@dataclass(frozen=True)
class RenderedPolicy:
    name: str
    text: str


def render_template(template: str, **values: str) -> str:
    """One template with its placeholders filled; a missing value is an error, never an empty string."""
    return Template((TEMPLATES / f"{template}.hcl").read_text()).substitute(values)


def hcl_value(value: object) -> str:
    """A JSON value is also a valid HCL value (strings escaped the same way, lists, booleans)."""
    return json.dumps(value)


def hcl_parameters(parameters: Mapping[str, Sequence[object]]) -> str:
    """The body of an `allowed_parameters` map, one `"key" = [values]` line each (an empty list: any)."""
    return "\n".join(
        f"    {hcl_value(key)} = {hcl_value(list(values))}" for key, values in parameters.items()
    )


def _repeat(template: str, instances: list[dict[str, str]]) -> list[str]:
    """A template rendered once per instance; its leading comment is kept on the first one only."""
    rendered = [render_template(template, **values) for values in instances]
    return rendered[:1] + [
        "\n".join(_drop_leading_comment(text.splitlines())) + "\n" for text in rendered[1:]
    ]


def _drop_leading_comment(lines: list[str]) -> list[str]:
    # `# lint:` lines stay: a per-path exemption names this instance's paths (policies/README.md).
    kept = []
    while lines and lines[0].startswith("#"):
        if lines[0].startswith("# lint:"):
            kept.append(lines[0])
        lines = lines[1:]
    return kept + lines


def _join(name: str, purpose: str, fragments: list[str]) -> RenderedPolicy:
    header = f"# {name}: {purpose}\n# Generated from policies/acl/ by infra/vault/acl.py; edit the templates, not this text.\n"
    return RenderedPolicy(name, header + "\n".join(fragments))


def service_policy_name(service: Service) -> str:
    return f"{SERVICE_PREFIX}{service.name}"


def service_policy(service: Service, cfg: StackConfig) -> RenderedPolicy:
    kv = cfg.kv.path
    parts = [render_template("kv-read", kv_mount=kv, path=path) for path in service.kv.read]
    parts += kv_share_parts(service, cfg)
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


def kv_share_parts(service: Service, cfg: StackConfig) -> list[str]:
    """The service's declared cross-service reads: one exact read-only path each, with the `lint:share`
    marker the policy rules report (VP-SHARE-001) and check against the grant (VP-ACL-014)."""
    return [
        render_template(
            "kv-share", kv_mount=cfg.kv.path, service=service.name, source=share.service, path=share.path
        )
        for share in service.kv.shares_from
    ]


def service_token_policies(service: Service) -> list[str]:
    """Policies attached to every token a service logs in with (Kubernetes or JWT)."""
    names = [service_policy_name(service), TOKEN_SELF]
    if service.kv.own != "none":
        names.append(KV_OWN[service.kv.own])
    if service.openai:
        names.append(OPENAI_CREDS)
    return names


def shared_policy_names() -> list[str]:
    return [KV_OWN["read"], KV_OWN["write"], TOKEN_SELF, SNAPSHOT]


def shared_policies(cfg: StackConfig) -> list[RenderedPolicy]:
    kv = cfg.kv.path
    rendered = [
        RenderedPolicy(name, render_template(name, kv_mount=kv)) for name in (KV_OWN["read"], KV_OWN["write"])
    ]
    rendered.append(RenderedPolicy(TOKEN_SELF, render_template(TOKEN_SELF)))
    rendered.append(RenderedPolicy(SNAPSHOT, render_template(SNAPSHOT)))
    return rendered


# --------------------------------------------------------------------------- auth roles' token policies


def kubernetes_role_policies(cfg: StackConfig) -> dict[str, list[str]]:
    """token_policies of every Kubernetes auth role the program declares, by role name."""
    roles = {s.name: service_token_policies(s) for s in cfg.services if s.kubernetes}
    roles[SNAPSHOT] = [SNAPSHOT, TOKEN_SELF]
    return roles


def ci_role_policies(cfg: StackConfig) -> dict[str, list[str]]:
    """token_policies of every `ci-*` JWT role (services' CI), by role name."""
    return {f"{CI_ROLE_PREFIX}{s.name}": service_token_policies(s) for s in cfg.services if s.github}


def tf_set_order(values: Iterable[str]) -> list[str]:
    """The order in which the Terraform SDK hands a TypeSet of strings to the provider, which sends it
    as is: sorted by the decimal text of each element's CRC-32 (helper/schema Set.listCode, HashString)."""
    return sorted(set(values), key=lambda value: str(zlib.crc32(value.encode())))


def allowed_token_policies(role_policies: Mapping[str, list[str]]) -> str:
    """The `allowed_parameters` values for `token_policies` on roles the deployer writes.

    HashiCorp Vault 1.21+ checks each element of a list against the allowed values: the exact names
    (never a glob: a comma-joined string would match `svc-*` as a whole). Vault 1.20 and older and
    OpenBao compare the whole list with each allowed value: the exact lists the roles carry, in the order
    the provider sends them. Either way a role can only carry generated policies.
    """
    names = sorted({name for policies_ in role_policies.values() for name in policies_})
    lists = sorted({tuple(tf_set_order(policies_)) for policies_ in role_policies.values()})
    return hcl_value([*names, *(list(each) for each in lists)])


# --------------------------------------------------------------------------- the deployer


# The token fields the provider sends on an auth role (vault/auth_token.go updateTokenFields), except
# token_policies, which is pinned separately.
TOKEN_FIELDS = (
    "token_bound_cidrs",
    "token_explicit_max_ttl",
    "token_max_ttl",
    "token_no_default_policy",
    "token_period",
    "token_type",
    "token_ttl",
    "token_num_uses",
    "alias_metadata",
)


def _token_fields() -> str:
    return hcl_parameters({field: [] for field in TOKEN_FIELDS})


def generated_policy_names(cfg: StackConfig) -> list[str]:
    return [
        *shared_policy_names(),
        *ai_key_policy_names(cfg),
        *(service_policy_name(s) for s in cfg.services),
    ]


def _kubernetes_config_parameters(cfg: StackConfig) -> str:
    k8s = cfg.kubernetes_auth
    return hcl_parameters(
        {
            "kubernetes_host": [k8s.host],
            # Without a CA in config the provider may only send "" (to clear a stale CA).
            "kubernetes_ca_cert": [k8s.ca_pem or ""],
            "disable_local_ca_jwt": [False],
            "disable_iss_validation": [],
            "use_annotations_as_alias_metadata": [],
        }
    )


def _connection_parameters(cfg: StackConfig) -> str:
    db = cfg.database
    assert db is not None
    return hcl_parameters(
        {
            "plugin_name": ["postgresql-database-plugin"],
            "connection_url": [connection_url(db)],
            "username": [db.username],
            "password": [],
            "password_authentication": ["scram-sha-256"],
            "disable_escaping": [False],
            "verify_connection": [],
            "allowed_roles": [],
            "max_open_connections": [],
        }
    )


def deployer_policy(cfg: StackConfig) -> RenderedPolicy:
    parts = [render_template("deployer-base")]
    parts += _repeat(
        "deployer-policy-write",
        [
            {"name": name}
            for name in [*shared_policy_names(), *ai_key_policy_names(cfg), f"{SERVICE_PREFIX}*"]
        ],
    )
    parts += _repeat("deployer-read", [{"path": f"sys/policies/acl/{name}"} for name in BOOTSTRAP_POLICIES])
    if cfg.cluster.server == "vault":
        parts.append(render_template("deployer-audit"))
    mounts = [cfg.kv.path, cfg.transit.path]
    if cfg.database:
        mounts.append(cfg.database.path)
    if cfg.aws:
        mounts.append(cfg.aws.path)
    parts += _repeat("deployer-mount", [{"mount": mount} for mount in mounts])
    parts.append(
        render_template(
            "deployer-auth-kubernetes",
            mount=cfg.kubernetes_auth.path,
            config_parameters=_kubernetes_config_parameters(cfg),
            token_policies=allowed_token_policies(kubernetes_role_policies(cfg)),
            token_fields=_token_fields(),
            # The exact list the mount's tune sends (both list semantics); nothing else kept in clear.
            audit_clear_keys=hcl_value([*KUBERNETES_AUDIT_CLEAR_KEYS, KUBERNETES_AUDIT_CLEAR_KEYS]),
        )
    )
    ci_roles = ci_role_policies(cfg)
    parts.append(
        render_template(
            "deployer-auth-jwt",
            mount=cfg.github_oidc.path,
            deployer_role=DEPLOYER,
            previewer_role=PREVIEWER,
            # No ci-* role in the catalog: an empty allowed list would mean "any", so allow none.
            token_policies=allowed_token_policies(ci_roles) if ci_roles else hcl_value(["no-ci-roles"]),
            token_fields=_token_fields(),
        )
    )
    parts.append(render_template("deployer-kv", kv_mount=cfg.kv.path))
    parts.append(render_template("deployer-transit", transit_mount=cfg.transit.path))
    if cfg.database:
        db = cfg.database
        static = (
            render_template("deployer-database-static-roles", db_mount=db.path, connection=db.connection)
            if db.static_roles
            else ""
        )
        rotate = (
            render_template("deployer-rotate-root", path=f"{db.path}/rotate-root/{db.connection}")
            if db.rotate_root
            else ""
        )
        parts.append(
            render_template(
                "deployer-database",
                db_mount=db.path,
                connection=db.connection,
                connection_parameters=_connection_parameters(cfg),
                static_roles=static,
                rotate_root=rotate,
            )
        )
    if cfg.aws:
        aws = cfg.aws
        parts.append(
            render_template(
                "deployer-aws",
                aws_mount=aws.path,
                region=aws.region,
                rotate_root=render_template("deployer-rotate-root", path=f"{aws.path}/config/rotate-root")
                if aws.rotate_root
                else "",
                roles=render_template("deployer-aws-roles", aws_mount=aws.path) if aws.roles else "",
            )
        )
    if cfg.human_auth:
        parts += _repeat("deployer-policy-write", [{"name": name} for name in human_policy_names(cfg)])
        parts.append(deployer_people(cfg))
    parts += ai_key_deployer_fragments(cfg)
    return _join(DEPLOYER, "the CI identity that applies this Vault configuration layer", parts)


def deployer_people(cfg: StackConfig) -> str:
    """The deployer's grants for people's login: IdP pinned, policies pinned to human-* names."""
    from infra.vault.human_auth import ROLE, enforcement_name, group_name

    human = cfg.human_auth
    assert human is not None
    oidc = human.oidc
    groups = {group_name(g.name): human_role_policies(g.role) for g in human.groups}
    config = hcl_parameters(
        {
            "oidc_discovery_url": [oidc.discovery_url],
            "oidc_discovery_ca_pem": [oidc.discovery_ca_pem or ""],
            "oidc_client_id": [oidc.client_id],
            "oidc_client_secret": [],
            "default_role": [ROLE],
            "namespace_in_state": [],
        }
    )
    totp = hcl_parameters(
        {field: [] for field in ("issuer", "period", "key_size", "qr_size", "algorithm", "digits", "skew")}
        | {"max_validation_attempts": []}
    )
    return render_template(
        "deployer-people",
        mount=oidc.path,
        role=ROLE,
        enforcement=enforcement_name(cfg),
        config_parameters=config,
        token_policies=allowed_token_policies({ROLE: [HUMAN_BASE]}),
        token_fields=_token_fields(),
        group_names=hcl_value(sorted(groups)),
        group_policies=allowed_token_policies(groups),
        totp_parameters=totp,
    )


HUMAN_BASE = "human-base"


def human_policy_name(role: str) -> str:
    """The policy of one human role (`human-operator`, `human-auditor`, `human-security-responder`)."""
    return f"human-{role}"


def human_role_policies(role: str) -> list[str]:
    """The policies of a human role's external group: its `human-<role>` policy and, for operators, the
    provider keys' rotator (`vaultctl keys rotate` records the rotation and rolls back: docs/ai-keys.md)."""
    return [human_policy_name(role), *([AI_KEYS_ROTATOR] if role == "operator" else [])]


def human_policy_names(cfg: StackConfig) -> list[str]:
    return [p.name for p in human_policies(cfg)]


def _credential_prefixes(cfg: StackConfig) -> list[str]:
    """Lease prefixes of every credential role (what a responder revokes in one step)."""
    prefixes = [f"{cfg.database.path}/creds/{r.name}" for r in cfg.database.roles] if cfg.database else []
    if cfg.aws:
        prefixes += [f"{cfg.aws.path}/{AWS_ENDPOINT[r.credential_type][0]}/{r.name}" for r in cfg.aws.roles]
    return prefixes


def human_policies(cfg: StackConfig) -> list[RenderedPolicy]:
    """People's policies (`human_auth`): a base every person's token has, one per human role."""
    if cfg.human_auth is None:
        return []
    kv = cfg.kv.path
    mounts = (cfg.kubernetes_auth.path, cfg.github_oidc.path, cfg.human_auth.oidc.path)
    auditor = [render_template("human-auditor", kv_mount=kv)]
    auditor += [render_template("human-auditor-auth", mount=m) for m in mounts]
    responder = [render_template("human-security-responder")]
    responder += [
        render_template("human-security-responder-engine", prefix=prefix)
        for prefix in _credential_prefixes(cfg)
    ]
    return [
        _join(HUMAN_BASE, "every person's token (OIDC login)", [render_template(HUMAN_BASE)]),
        _join(
            human_policy_name("operator"),
            "people who rotate applications' secrets",
            [render_template("human-operator", kv_mount=kv)],
        ),
        _join(human_policy_name("auditor"), "read-only review of the configuration", auditor),
        _join(human_policy_name("security-responder"), "incident response: revoke credentials", responder),
    ]


# --------------------------------------------------------------------------- the previewer


def previewer_read_paths(cfg: StackConfig) -> list[str]:
    """Every path a refresh of the declared resources reads, one-segment wildcards where names vary."""
    paths = [f"sys/policies/acl/{name}" for name in [*shared_policy_names(), *BOOTSTRAP_POLICIES]]
    paths.append(f"sys/policies/acl/{SERVICE_PREFIX}*")
    mounts = [cfg.kv.path, cfg.transit.path]
    if cfg.database:
        mounts.append(cfg.database.path)
    if cfg.aws:
        mounts.append(cfg.aws.path)
    paths += [f"sys/mounts/{mount}" for mount in mounts]
    for auth in (cfg.kubernetes_auth.path, cfg.github_oidc.path):
        paths += [f"sys/mounts/auth/{auth}", f"sys/mounts/auth/{auth}/tune"]
        paths += [f"auth/{auth}/config", f"auth/{auth}/role/+"]
    paths.append(f"{cfg.kv.path}/config")
    paths.append(f"{cfg.transit.path}/keys/+")
    if cfg.database:
        db = cfg.database
        paths += [f"{db.path}/config/{db.connection}", f"{db.path}/roles/+"]
        if db.static_roles:
            paths.append(f"{db.path}/static-roles/+")
    if cfg.aws:
        paths.append(f"{cfg.aws.path}/config/root")
        if cfg.aws.roles:
            paths.append(f"{cfg.aws.path}/roles/+")
    if cfg.human_auth:
        from infra.vault.human_auth import enforcement_name

        people = cfg.human_auth.oidc.path
        paths += [f"sys/policies/acl/{name}" for name in human_policy_names(cfg)]
        paths += [f"sys/mounts/auth/{people}", f"sys/mounts/auth/{people}/tune"]
        paths += [f"auth/{people}/config", f"auth/{people}/role/+"]
        paths += ["identity/group/id/+", "identity/group-alias/id/+", "identity/mfa/method/totp/+"]
        paths.append(f"identity/mfa/login-enforcement/{enforcement_name(cfg)}")
    paths += [f"sys/policies/acl/{name}" for name in ai_key_policy_names(cfg)]
    if cfg.openai:  # the plugin's catalog entry is read with sudo: previewer-openai
        paths.append(f"sys/mounts/{cfg.openai.path}")
        paths += [f"{cfg.openai.path}/roles/{s.name}" for s in cfg.services if s.openai]
    return paths


def previewer_policy(cfg: StackConfig) -> RenderedPolicy:
    parts = [render_template("previewer-base")]
    reads = previewer_read_paths(cfg)
    # Reads of every key or role of an engine mount (`<mount>/keys/+`) span tenants: exempted per path.
    spanning = [path for path in reads if path.endswith("/+") and not path.startswith(("auth/", "identity/"))]
    parts += _repeat("previewer-read", [{"path": path} for path in reads if path not in spanning])
    parts += _repeat("previewer-read-definitions", [{"path": path} for path in spanning])
    if cfg.cluster.server == "vault":
        parts.append(render_template("previewer-audit"))
    if cfg.openai:
        parts.append(render_template("previewer-openai", plugin=cfg.openai.plugin_name))
    return _join(PREVIEWER, "the read-only CI identity of previews and drift detection", parts)


def bootstrap_policies(cfg: StackConfig) -> list[RenderedPolicy]:
    """The policies `vaultctl init` writes (and the program adopts): the CI identities'."""
    return [deployer_policy(cfg), previewer_policy(cfg)]


def all_policies(cfg: StackConfig) -> list[RenderedPolicy]:
    return [
        *shared_policies(cfg),
        *bootstrap_policies(cfg),
        *(service_policy(s, cfg) for s in cfg.services),
        *human_policies(cfg),
        *ai_key_policies(cfg),
    ]


# --------------------------------------------------------------------------- model-provider keys (issue 17)

AI_KEYS_ROTATOR = "ai-keys-rotator"
AI_KEYS_AUDITOR = "ai-keys-auditor"
OPENAI_CREDS = "openai-creds"
KEYS_AUDITOR_ROLE = "keys-auditor"
# Login request fields the Kubernetes auth mount writes to the audit log in clear (the failed-login
# alarm groups by role); the JWT stays HMAC'd.
KUBERNETES_AUDIT_CLEAR_KEYS = ["role"]


def ai_key_policy_names(cfg: StackConfig) -> list[str]:
    return [AI_KEYS_ROTATOR, AI_KEYS_AUDITOR, *([OPENAI_CREDS] if cfg.openai else [])]


def ai_key_deployer_fragments(cfg: StackConfig) -> list[str]:
    """What the deployer writes for issue 17's resources, each path exactly: the provider keys'
    metadata, the keys-auditor role (token_policies pinned), and the OpenAI plugin (catalog entry,
    mount, config and roles pinned to the stack config)."""
    parts = _repeat(
        "deployer-ai-key-metadata",
        [
            {"kv_mount": cfg.kv.path, "provider": k.provider, "service": s.name}
            for s, k in cfg.provider_keys()
        ],
    )
    parts.append(
        render_template(
            "deployer-keys-auditor-role",
            mount=cfg.github_oidc.path,
            role=KEYS_AUDITOR_ROLE,
            token_policies=allowed_token_policies({KEYS_AUDITOR_ROLE: [AI_KEYS_AUDITOR, TOKEN_SELF]}),
            token_fields=_token_fields(),
        )
    )
    openai = cfg.openai
    if openai:
        parts.append(
            render_template(
                "deployer-openai",
                plugin=openai.plugin_name,
                sha256=openai.sha256,
                command=openai.command,
                version=openai.version,
                mount=openai.path,
                organization=openai.organization_id,
                endpoint=openai.api_endpoint,
            )
        )
        parts += _repeat(
            "deployer-openai-role",
            [
                {"mount": openai.path, "service": s.name, "project": s.openai.project_id}
                for s in cfg.services
                if s.openai
            ],
        )
    return parts


def ai_key_policies(cfg: StackConfig) -> list[RenderedPolicy]:
    """The rotator (operators' `vaultctl keys rotate`: exactly the declared keys), the auditor (the
    overdue report: the declared keys' metadata and the folder listings) and, with the OpenAI plugin,
    the templated `creds` policy."""
    kv = cfg.kv.path
    keys = [{"kv_mount": kv, "provider": k.provider, "service": s.name} for s, k in cfg.provider_keys()]
    rotator = _repeat("ai-keys-rotator", keys) or ["# (no provider keys in the catalog)\n"]
    auditor = [render_template("ai-keys-auditor", kv_mount=kv)]
    auditor += _repeat(
        "ai-keys-auditor-provider",
        [{"kv_mount": kv, "provider": p} for p in sorted(set(cfg.kv.ai_providers))],
    )
    auditor += _repeat("ai-keys-auditor-key", keys)
    rendered = [
        _join(AI_KEYS_ROTATOR, "rotate the catalog's provider keys (vaultctl keys rotate)", rotator),
        _join(AI_KEYS_AUDITOR, "report provider keys' age (vaultctl keys status)", auditor),
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
