"""The audit alarms as data: each alarm's Cloud Logging filter, the labels its log-based metric extracts,
and the PromQL condition of its alert policy. Pure functions of the stack config.

Where the entries come from: the audit device writes one JSON object per request and per response to
the Vault container's stdout (`vault.audit` `file_path: stdout`); GKE's logging agent ships each line
to Cloud Logging as a `k8s_container` entry whose `jsonPayload` is the object (no filter names its
`time`, which the agent may lift into the entry's timestamp). Every filter starts from `base_filter`: the
response entries of this cluster's Vault containers, one per request, carrying the request, the caller
(`auth`) and the outcome (`error`).

Only fields the audit device writes in clear are used: `request.path`, `request.operation`,
`request.remote_address`, `auth.policies`, `auth.display_name`, `auth.metadata.*` and `error`. Tokens,
accessors and request/response data are HMAC'd (login roles are not: the Kubernetes auth mount lists
`role` in `audit_non_hmac_request_keys`). tests/integration/test_alarm_filters.py produces each event on
a real server and runs these filters against the captured entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from infra.config import StackConfig
from infra.vault import acl

CONTAINER = "vault"  # the StatefulSet's server container (infra/cluster/statefulset.py)
PREFIX = "vault_audit_"
WRITES = "^(create|update|delete|patch)$"
LOGIN = "^auth/[^/]+/login(/|$)"
# Configuration an attacker would change to keep access or blind the audit trail: policies, auth
# methods and their configs, audit devices, and (policies/README.md, "What the deployer can still do")
# the auth roles and identities that hand policies out.
CONFIG_PATHS = (
    "^(sys/policy(/|$)|sys/policies/|sys/auth/|sys/audit/|auth/[^/]+/config$|auth/[^/]+/role/"
    "|identity/(entity|entity-alias|group|group-alias)(/|$))"
)


@dataclass(frozen=True)
class Alarm:
    name: str  # the log-based metric's name (PromQL: logging_googleapis_com:user_<name>)
    title: str
    severity: str  # CRITICAL | WARNING
    filter: str
    labels: dict[str, str] = field(default_factory=dict)  # label -> extractor
    condition: str = ""  # PromQL
    documentation: str = ""

    @property
    def promql_metric(self) -> str:
        return f"logging_googleapis_com:user_{self.name}"


def quote(value: str) -> str:
    """A Cloud Logging string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def all_of(*parts: str) -> str:
    return " AND ".join(f"({p})" if " OR " in p and not p.startswith("(") else p for p in parts)


def any_of(*parts: str) -> str:
    return "(" + " OR ".join(parts) + ")"


def base_filter(cfg: StackConfig, cluster: str | None = None) -> str:
    # Imported here: the platform component builds the alarms, so a module-level import would be circular.
    from infra.platform.gke import cluster_name

    return all_of(
        'resource.type="k8s_container"',
        f"resource.labels.cluster_name={quote(cluster or cluster_name(cfg))}",
        f"resource.labels.namespace_name={quote(cfg.cluster.namespace)}",
        f"resource.labels.container_name={quote(CONTAINER)}",
        'jsonPayload.type="response"',
    )


def _keys_prefix(cfg: StackConfig) -> str:
    return f"{cfg.kv.path}/data/ai/providers/"


def auth_failures(cfg: StackConfig, base: str) -> str:
    # Failed logins answer either with an error (`error`) or with an error response (`response.data.error`,
    # e.g. "invalid role name"): either one, on a login path.
    return all_of(
        base,
        f"jsonPayload.request.path=~{quote(LOGIN)}",
        any_of("jsonPayload.error:*", "jsonPayload.response.data.error:*"),
    )


def permission_denied(cfg: StackConfig, base: str) -> str:
    # Failed logins have their own alarm (some answer "permission denied" too).
    return all_of(
        base, 'jsonPayload.error:"permission denied"', f"NOT jsonPayload.request.path=~{quote(LOGIN)}"
    )


def config_writes(cfg: StackConfig, base: str) -> str:
    return all_of(
        base,
        f"jsonPayload.request.operation=~{quote(WRITES)}",
        f"jsonPayload.request.path=~{quote(CONFIG_PATHS)}",
        f"NOT jsonPayload.auth.policies={quote(acl.DEPLOYER)}",
    )


def root_token(cfg: StackConfig, base: str) -> str:
    return all_of(base, 'jsonPayload.auth.policies="root"')


def key_reads(cfg: StackConfig, base: str) -> str:
    return all_of(
        base,
        'jsonPayload.request.operation="read"',
        f"jsonPayload.request.path=~{quote('^' + _keys_prefix(cfg))}",
    )


def unexpected_key_reads(cfg: StackConfig, base: str) -> str:
    """Reads of a provider key by anyone but its service (a token carrying `svc-<service>`) or the
    rotator (which reads the current version to roll back to). Denied attempts count too."""
    expected = [
        all_of(
            f"jsonPayload.request.path={quote(_keys_prefix(cfg) + key.provider + '/' + service.name)}",
            f"jsonPayload.auth.policies={quote(acl.service_policy_name(service))}",
        )
        for service, key in cfg.provider_keys()
    ]
    expected.append(f"jsonPayload.auth.policies={quote(acl.AI_KEYS_ROTATOR)}")
    return all_of(key_reads(cfg, base), "NOT " + any_of(*(f"({e})" for e in expected)))


def off_hours_key_reads(cfg: StackConfig, base: str) -> str:
    """Reads of provider keys by people and CI (anything but a Kubernetes workload login, whose pods
    restart at any hour); the alert policy's condition keeps the ones outside office hours."""
    return all_of(key_reads(cfg, base), "NOT jsonPayload.auth.metadata.service_account_namespace:*")


def office_hours_promql(cfg: StackConfig) -> str:
    """True (a one-element vector) outside the configured office hours, UTC."""
    a = cfg.alarms
    outside = [f"hour() < {a.office_hours_start}"]
    if a.office_hours_end < 24:
        outside.append(f"hour() >= {a.office_hours_end}")
    if a.weekdays_only:
        outside += ["day_of_week() == 0", "day_of_week() == 6"]
    return " or ".join(outside)


_PATH = "EXTRACT(jsonPayload.request.path)"
_WHO = "EXTRACT(jsonPayload.auth.display_name)"
_SOURCE = "EXTRACT(jsonPayload.request.remote_address)"


def alarms(cfg: StackConfig, cluster: str | None = None) -> list[Alarm]:
    base = base_filter(cfg, cluster)
    a = cfg.alarms
    runbook = "docs/ai-keys.md (Audit alarms)"

    def total(name: str, by: str, window: str = "5m") -> str:
        return f"sum by ({by}) (increase(logging_googleapis_com:user_{name}[{window}]))"

    found = [
        Alarm(
            f"{PREFIX}auth_failures",
            "Vault: failed logins",
            "WARNING",
            auth_failures(cfg, base),
            {
                "mount": 'REGEXP_EXTRACT(jsonPayload.request.path, "^auth/([^/]+)/login")',
                "role": "EXTRACT(jsonPayload.request.data.role)",
                "source": _SOURCE,
            },
            f"{total(f'{PREFIX}auth_failures', 'mount, role, source')} >= {a.auth_failures}",
            f"At least {a.auth_failures} failed logins in 5 minutes for one role from one address: a "
            f"guessing client, a stolen token being replayed, or a broken deployment. {runbook}",
        ),
        Alarm(
            f"{PREFIX}permission_denied",
            "Vault: permission-denied spike",
            "WARNING",
            permission_denied(cfg, base),
            {"mount": "EXTRACT(jsonPayload.request.mount_point)", "who": _WHO},
            f"sum(increase(logging_googleapis_com:user_{PREFIX}permission_denied[5m])) >= {a.permission_denied}",
            f"At least {a.permission_denied} requests refused in 5 minutes: something probing paths it was not "
            f"granted, or a policy change that broke a service. {runbook}",
        ),
        Alarm(
            f"{PREFIX}config_writes",
            "Vault: policy, auth or audit change outside a deploy",
            "CRITICAL",
            config_writes(cfg, base),
            {"path": _PATH, "who": _WHO},
            f"{total(f'{PREFIX}config_writes', 'path, who')} > 0",
            "A write to sys/policies, sys/auth, auth/*/config, sys/audit, an auth role or an identity by an "
            "identity other than the deployer: the configuration is changed by hand (or by an intruder "
            f"keeping access). {runbook}",
        ),
        Alarm(
            f"{PREFIX}root_token",
            "Vault: root token used",
            "CRITICAL",
            root_token(cfg, base),
            {"path": _PATH, "source": _SOURCE},
            f"{total(f'{PREFIX}root_token', 'path, source')} > 0",
            "A request authenticated by a root token. Expected only during `vaultctl init` and break-glass "
            f"(docs/break-glass.md); otherwise treat as a compromise. {runbook}",
        ),
        Alarm(
            f"{PREFIX}ai_key_unexpected_reads",
            "Vault: provider key read by an unexpected identity",
            "CRITICAL",
            unexpected_key_reads(cfg, base),
            {"path": _PATH, "who": _WHO},
            f"{total(f'{PREFIX}ai_key_unexpected_reads', 'path, who')} > 0",
            "A model-provider key under ai/providers/ was read (or tried) by an identity other than its "
            f"service or the rotator: rotate it (`vaultctl keys rotate`) and find the reader. {runbook}",
        ),
        Alarm(
            f"{PREFIX}ai_key_reads_off_hours",
            "Vault: provider key read outside office hours",
            "WARNING",
            off_hours_key_reads(cfg, base),
            {"path": _PATH, "who": _WHO},
            f"{total(f'{PREFIX}ai_key_reads_off_hours', 'path, who', '10m')} > 0 and on() "
            f"({office_hours_promql(cfg)})",
            f"A person or CI job read a model-provider key outside {a.office_hours_start:02d}:00-"
            f"{a.office_hours_end:02d}:00 UTC{' on weekdays' if a.weekdays_only else ''}. {runbook}",
        ),
    ]
    return found
