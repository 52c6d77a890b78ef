"""Rules over Vault secrets-engine resources: database roles and connections, AWS roles."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from policies.rules.limits import Limits
from policies.rules.tls import database_url
from policies.rules.values import as_list, field, seconds

RawFinding = tuple[str, str]

DATABASE_ROLE = "vault:database/secretBackendRole:SecretBackendRole"
DATABASE_CONNECTION = "vault:database/secretBackendConnection:SecretBackendConnection"
DATABASE_MOUNT = "vault:database/secretsMount:SecretsMount"
AWS_ROLE = "vault:aws/secretBackendRole:SecretBackendRole"

_DANGEROUS_SQL = (
    (re.compile(r"\bGRANT\s+ALL\b", re.IGNORECASE), "GRANT ALL"),
    # \b keeps NOSUPERUSER / NOCREATEROLE (the safe spellings) from matching.
    (re.compile(r"\bSUPERUSER\b", re.IGNORECASE), "SUPERUSER"),
    (re.compile(r"\bCREATEROLE\b", re.IGNORECASE), "CREATEROLE"),
    (re.compile(r"\bCREATEDB\b", re.IGNORECASE), "CREATEDB"),
    (re.compile(r"\bBYPASSRLS\b", re.IGNORECASE), "BYPASSRLS"),
    (re.compile(r"\bREPLICATION\b", re.IGNORECASE), "REPLICATION"),
    (re.compile(r"\bWITH\s+(GRANT|ADMIN)\s+OPTION\b", re.IGNORECASE), "WITH GRANT/ADMIN OPTION"),
    (re.compile(r"\bON\s+\*\.\*", re.IGNORECASE), "global privileges ON *.*"),
)


def database_role(inputs: Mapping[str, Any], limits: Limits) -> list[RawFinding]:
    found: list[RawFinding] = []
    statements = " ".join(str(s) for s in as_list(field(inputs, "creationStatements")))
    granted = [label for pattern, label in _DANGEROUS_SQL if pattern.search(statements)]
    if granted:
        found.append(("VP-DB-001", f"creation statements grant {', '.join(granted)}"))
    if not [s for s in as_list(field(inputs, "revocationStatements")) if str(s).strip()]:
        found.append(("VP-DB-002", "no revocation_statements: expired users may survive revocation"))
    default, maximum = seconds(field(inputs, "defaultTtl")), seconds(field(inputs, "maxTtl"))
    found += lease_ttls("default_ttl", default, "max_ttl", maximum, limits)
    return found


def lease_ttls(
    default_name: str, default: float | None, max_name: str, maximum: float | None, limits: Limits
) -> list[RawFinding]:
    found: list[RawFinding] = []
    for name, value in ((default_name, default), (max_name, maximum)):
        if value is not None and value > limits.max_ttl_seconds:
            found.append(
                ("VP-TTL-002", f"{name}={value:.0f}s is above the cap of {limits.max_ttl_seconds:.0f}s")
            )
    if default and maximum and default > maximum:
        found.append(("VP-TTL-003", f"{default_name} {default:.0f}s is above {max_name} {maximum:.0f}s"))
    return found


def _allowed_roles(name: str, roles: list[Any]) -> list[RawFinding]:
    if any(str(role).strip().startswith("*") for role in roles):
        return [("VP-DB-003", f"connection {name!r} allowed_roles={roles}: list the roles that may use it")]
    return []


def database_connection(inputs: Mapping[str, Any], limits: Limits) -> list[RawFinding]:
    name = str(field(inputs, "name") or "")
    found = _allowed_roles(name, as_list(field(inputs, "allowedRoles")))
    for key in inputs:
        # One block per plugin (postgresql, mysql...), each with its own connection_url.
        block = field(inputs, key)
        if isinstance(block, dict) and "connectionUrl" in block:
            found += database_url(block["connectionUrl"], f"connection {name!r}")
    return found


def database_mount(inputs: Mapping[str, Any], limits: Limits) -> list[RawFinding]:
    """SecretsMount carries one list per plugin (postgresqls, mysqls...), each entry a connection."""
    found: list[RawFinding] = []
    for key in inputs:
        value = field(inputs, key)
        for connection in value if isinstance(value, list) else []:
            if not isinstance(connection, dict):
                continue
            name = str(connection.get("name", key))
            found += _allowed_roles(name, as_list(connection.get("allowedRoles")))
            found += database_url(connection.get("connectionUrl"), f"connection {name!r}")
    return found


_ADMIN_MANAGED_POLICIES = ("/AdministratorAccess", "/PowerUserAccess", "/IAMFullAccess")
_IAM_WRITE = re.compile(
    r"^iam:(\*|Pass\w*|Create\w*|Attach\w*|Put\w*|Update\w*|Add\w*|Set\w*|Upload\w*|Delete\w*|Detach\w*)$",
    re.IGNORECASE,
)


def aws_role(inputs: Mapping[str, Any], limits: Limits) -> list[RawFinding]:
    found: list[RawFinding] = []
    for arn in as_list(field(inputs, "policyArns")):
        if str(arn).endswith(_ADMIN_MANAGED_POLICIES):
            found.append(("VP-AWS-001", f"attaches managed policy {arn}"))
    document = field(inputs, "policyDocument")
    if isinstance(document, str) and document.strip():
        found += _policy_document(document)
    default, maximum = seconds(field(inputs, "defaultStsTtl")), seconds(field(inputs, "maxStsTtl"))
    found += lease_ttls("default_sts_ttl", default, "max_sts_ttl", maximum, limits)
    return found


def _policy_document(document: str) -> list[RawFinding]:
    try:
        parsed = json.loads(document)
    except json.JSONDecodeError:
        return [("VP-AWS-001", "policy_document is not JSON: it cannot be reviewed")]
    statements = as_list(parsed.get("Statement") if isinstance(parsed, dict) else None)
    found: list[RawFinding] = []
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = [str(action) for action in as_list(statement.get("Action"))]
        if "NotAction" in statement:
            found.append(("VP-AWS-001", "Allow with NotAction grants everything not listed"))
        broad = [action for action in actions if action in {"*", "*:*"} or action.endswith(":*")]
        if broad:
            found.append(("VP-AWS-001", f"allows wildcard actions {broad}"))
        if "*" in [str(resource) for resource in as_list(statement.get("Resource"))]:
            found.append(("VP-AWS-002", f"allows {actions or 'its actions'} on Resource *"))
        iam = [action for action in actions if _IAM_WRITE.match(action)]
        if iam:
            found.append(("VP-AWS-003", f"allows IAM writes {iam}"))
    return found
