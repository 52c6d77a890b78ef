"""`check_resource`: route a declared resource to the rules for its type."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from policies.rules import gcp_iam, pods, tls, vault_auth, vault_engines, workloads
from policies.rules.catalog import RULES, Scope
from policies.rules.findings import Finding, PolicyParseError
from policies.rules.limits import DEFAULT_LIMITS, Limits
from policies.rules.lint import lint_policy_text
from policies.rules.values import field

RawFinding = tuple[str, str]
VAULT_POLICY = "vault:index/policy:Policy"
_Check = Callable[[str, Mapping[str, Any], Limits], list[RawFinding]]

_TTL = frozenset({"VP-TTL-001", "VP-TTL-002", "VP-TTL-003"})
_LEASE_TTL = frozenset({"VP-TTL-002", "VP-TTL-003"})
_POLICY_TEXT = frozenset(r.rule_id for r in RULES if r.scope in {Scope.ACL, Scope.EXEMPTION}) | {
    "VP-SYNTAX-001"
}


@dataclass(frozen=True)
class _Route:
    applies: Callable[[str], bool]
    check: _Check
    rule_ids: frozenset[str]  # every rule the check can report: the pack skips the others for this type


def _one(type_token: str) -> Callable[[str], bool]:
    return lambda candidate: candidate == type_token


def _inputs_only(check: Callable[[Mapping[str, Any], Limits], list[RawFinding]]) -> _Check:
    return lambda _type, inputs, limits: check(inputs, limits)


def _workload(type_token: str, inputs: Mapping[str, Any], _limits: Limits) -> list[RawFinding]:
    spec = workloads.pod_spec(type_token, inputs)
    return [finding for rule in pods.POD_RULES for finding in rule(spec)] + tls.workload(spec)


def _secret(_type: str, inputs: Mapping[str, Any], _limits: Limits) -> list[RawFinding]:
    # A Secret's `data` is base64 whether or not the inputs carry `kind` (mocks do, CrossGuard may not).
    return tls.config_data({key: inputs[key] for key in inputs if key != "kind"} | {"kind": "Secret"})


_ROUTES: tuple[_Route, ...] = (
    _Route(
        _one(vault_auth.KUBERNETES_ROLE),
        _inputs_only(vault_auth.kubernetes_role),
        frozenset({"VP-K8SAUTH-001", "VP-K8SAUTH-002"}) | _TTL,
    ),
    _Route(
        _one(vault_auth.JWT_ROLE),
        _inputs_only(vault_auth.jwt_role),
        frozenset({"VP-JWT-001", "VP-JWT-002", "VP-JWT-003"}) | _TTL,
    ),
    _Route(_one(vault_auth.APPROLE_ROLE), _inputs_only(vault_auth.other_auth_role), _TTL),
    _Route(_one(vault_auth.TOKEN_ROLE), _inputs_only(vault_auth.other_auth_role), _TTL),
    _Route(_one(vault_auth.TOKEN), _inputs_only(vault_auth.token), frozenset({"VP-TTL-001", "VP-TTL-002"})),
    _Route(
        _one(vault_engines.DATABASE_ROLE),
        _inputs_only(vault_engines.database_role),
        frozenset({"VP-DB-001", "VP-DB-002"}) | _LEASE_TTL,
    ),
    _Route(
        _one(vault_engines.DATABASE_CONNECTION),
        _inputs_only(vault_engines.database_connection),
        frozenset({"VP-DB-003", "VP-TLS-001"}),
    ),
    _Route(
        _one(vault_engines.DATABASE_MOUNT),
        _inputs_only(vault_engines.database_mount),
        frozenset({"VP-DB-003", "VP-TLS-001"}),
    ),
    _Route(
        _one(vault_engines.AWS_ROLE),
        _inputs_only(vault_engines.aws_role),
        frozenset({"VP-AWS-001", "VP-AWS-002", "VP-AWS-003"}) | _LEASE_TTL,
    ),
    _Route(gcp_iam.is_iam_grant, gcp_iam.iam_grant, frozenset({"VP-GCP-001", "VP-GCP-002"})),
    _Route(
        _one(gcp_iam.SERVICE_ACCOUNT_KEY),
        _inputs_only(gcp_iam.service_account_key),
        frozenset({"VP-GCP-003"}),
    ),
    _Route(
        _one(tls.VAULT_PROVIDER), lambda _t, inputs, _l: tls.vault_provider(inputs), frozenset({"VP-TLS-001"})
    ),
    _Route(
        _one("kubernetes:core/v1:ConfigMap"),
        lambda _t, inputs, _l: tls.config_data(inputs),
        frozenset({"VP-TLS-001", "VP-TLS-002"}),
    ),
    _Route(_one("kubernetes:core/v1:Secret"), _secret, frozenset({"VP-TLS-001", "VP-TLS-002"})),
    _Route(
        workloads.is_workload,
        _workload,
        frozenset({"VP-POD-001", "VP-POD-002", "VP-POD-003", "VP-POD-004", "VP-TLS-001", "VP-TLS-002"}),
    ),
)


def rules_for_type(type_token: str) -> frozenset[str]:
    """Every rule ID `check_resource` can report for this type (empty for types without rules)."""
    if type_token == VAULT_POLICY:
        return _POLICY_TEXT
    return frozenset().union(*(route.rule_ids for route in _ROUTES if route.applies(type_token)))


def check_resource(
    type_token: str, name: str, inputs: Mapping[str, Any], *, limits: Limits = DEFAULT_LIMITS
) -> list[Finding]:
    """Findings for one declared resource; types without rules give none."""
    subject = f"{type_token} {name}"
    if type_token == VAULT_POLICY:
        return _policy_resource(inputs, subject)
    raw = [
        finding
        for route in _ROUTES
        if route.applies(type_token)
        for finding in route.check(type_token, inputs, limits)
    ]
    return [Finding(rule_id, message, subject) for rule_id, message in raw]


def _policy_resource(inputs: Mapping[str, Any], subject: str) -> list[Finding]:
    text = field(inputs, "policy")
    if not isinstance(text, str):
        return []
    try:
        return lint_policy_text(text, subject)
    except PolicyParseError as error:
        return [Finding("VP-SYNTAX-001", str(error), subject)]
