"""`check_resource`: route a declared resource to the rules for its type."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from policies.rules import gcp_iam, pods, tls, vault_auth, vault_engines, workloads
from policies.rules.findings import Finding, PolicyParseError
from policies.rules.limits import DEFAULT_LIMITS, Limits
from policies.rules.lint import lint_policy_text
from policies.rules.values import field

RawFinding = tuple[str, str]
VAULT_POLICY = "vault:index/policy:Policy"
_InputCheck = Callable[[Mapping[str, Any], Limits], list[RawFinding]]

_BY_TYPE: dict[str, _InputCheck] = {
    vault_auth.KUBERNETES_ROLE: vault_auth.kubernetes_role,
    vault_auth.JWT_ROLE: vault_auth.jwt_role,
    vault_auth.APPROLE_ROLE: vault_auth.other_auth_role,
    vault_auth.TOKEN_ROLE: vault_auth.other_auth_role,
    vault_auth.TOKEN: vault_auth.token,
    vault_engines.DATABASE_ROLE: vault_engines.database_role,
    vault_engines.DATABASE_CONNECTION: vault_engines.database_connection,
    vault_engines.DATABASE_MOUNT: vault_engines.database_mount,
    vault_engines.AWS_ROLE: vault_engines.aws_role,
    gcp_iam.SERVICE_ACCOUNT_KEY: gcp_iam.service_account_key,
    tls.VAULT_PROVIDER: lambda inputs, _limits: tls.vault_provider(inputs),
    "kubernetes:core/v1:ConfigMap": lambda inputs, _limits: tls.config_data(inputs),
    "kubernetes:core/v1:Secret": lambda inputs, _limits: tls.config_data(_kind(inputs, "Secret")),
}


def _kind(inputs: Mapping[str, Any], kind: str) -> dict[str, Any]:
    # Mocks include `kind`, CrossGuard may not: a Secret's data is base64 either way.
    return {key: inputs[key] for key in inputs if key in {"data", "stringData", "binaryData"}} | {
        "kind": kind
    }


def check_resource(
    type_token: str, name: str, inputs: Mapping[str, Any], *, limits: Limits = DEFAULT_LIMITS
) -> list[Finding]:
    """Findings for one declared resource; types without rules give none."""
    subject = f"{type_token} {name}"
    if type_token == VAULT_POLICY:
        return _policy_resource(inputs, subject)
    raw: list[RawFinding] = []
    if type_token in _BY_TYPE:
        raw = _BY_TYPE[type_token](inputs, limits)
    elif gcp_iam.is_iam_grant(type_token):
        raw = gcp_iam.iam_grant(type_token, inputs, limits)
    elif workloads.is_workload(type_token):
        spec = workloads.pod_spec(type_token, inputs)
        raw = [finding for rule in pods.POD_RULES for finding in rule(spec)] + tls.workload(spec)
    return [Finding(rule_id, message, subject) for rule_id, message in raw]


def _policy_resource(inputs: Mapping[str, Any], subject: str) -> list[Finding]:
    text = field(inputs, "policy")
    if not isinstance(text, str):
        return []
    try:
        return lint_policy_text(text, subject)
    except PolicyParseError as error:
        return [Finding("VP-SYNTAX-001", str(error), subject)]
