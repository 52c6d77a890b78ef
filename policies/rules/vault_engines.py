"""Rules over Vault secrets-engine resources: database roles and connections, AWS roles."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from policies.rules.limits import Limits
from policies.rules.registry import resource_rule
from policies.rules.values import as_list, field

DATABASE_ROLE = "vault:database/secretBackendRole:SecretBackendRole"
DATABASE_CONNECTION = "vault:database/secretBackendConnection:SecretBackendConnection"
DATABASE_MOUNT = "vault:database/secretsMount:SecretsMount"
AWS_ROLE = "vault:aws/secretBackendRole:SecretBackendRole"
_AWS_LEAST_PRIVILEGE = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"
)

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


@resource_rule(
    "VP-DB-001",
    types=(DATABASE_ROLE,),
    title="database role creation statements granting ALL, SUPERUSER, CREATEROLE, CREATEDB, BYPASSRLS, "
    "REPLICATION, GRANT/ADMIN OPTION or global (*.*) privileges",
    why="Dynamic credentials should carry least privilege; these let the holder create persistent users "
    "or bypass row security, outliving the lease.",
    source="https://developer.hashicorp.com/vault/docs/secrets/databases/postgresql; "
    "https://www.postgresql.org/docs/current/sql-createrole.html",
)
def database_privileges(_type: str, inputs: Mapping[str, Any], _limits: Limits) -> list[str]:
    statements = " ".join(str(s) for s in as_list(field(inputs, "creationStatements")))
    granted = [label for pattern, label in _DANGEROUS_SQL if pattern.search(statements)]
    return [f"creation statements grant {', '.join(granted)}"] if granted else []


@resource_rule(
    "VP-DB-002",
    types=(DATABASE_ROLE,),
    title="database role without revocation statements",
    why="The plugin default only drops the role, which fails when it owns objects or holds grants: "
    "revocation must reassign/drop owned objects explicitly so expired users really disappear.",
    source="https://developer.hashicorp.com/vault/docs/secrets/databases/postgresql#revocation-statements",
)
def database_revocation(_type: str, inputs: Mapping[str, Any], _limits: Limits) -> list[str]:
    if not [s for s in as_list(field(inputs, "revocationStatements")) if str(s).strip()]:
        return ["no revocation_statements: expired users may survive revocation"]
    return []


def _allowed_roles(name: str, roles: list[Any]) -> list[str]:
    if any(str(role).strip().startswith("*") for role in roles):
        return [f"connection {name!r} allowed_roles={roles}: list the roles that may use it"]
    return []


def connections(type_token: str, inputs: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """(name, allowed_roles, connection_url) of every connection a connection or mount resource declares."""
    if type_token == DATABASE_CONNECTION:
        name = str(field(inputs, "name") or "")
        urls = [
            block["connectionUrl"]
            for key in inputs
            # One block per plugin (postgresql, mysql...), each with its own connection_url.
            if isinstance(block := field(inputs, key), dict) and "connectionUrl" in block
        ]
        return [(name, field(inputs, "allowedRoles"), url) for url in urls or [None]]
    found = []
    for key in inputs:
        # SecretsMount carries one list per plugin (postgresqls, mysqls...), each entry a connection.
        value = field(inputs, key)
        for connection in value if isinstance(value, list) else []:
            if isinstance(connection, dict):
                name = str(connection.get("name", key))
                found.append((name, connection.get("allowedRoles"), connection.get("connectionUrl")))
    return found


@resource_rule(
    "VP-DB-003",
    types=(DATABASE_CONNECTION, DATABASE_MOUNT),
    title="database connection with allowed_roles containing `*`",
    why="Every role on the mount, including one created later, may then use the connection's privileges.",
    source="https://developer.hashicorp.com/vault/api-docs/secret/databases#allowed_roles",
)
def database_any_role(type_token: str, inputs: Mapping[str, Any], _limits: Limits) -> list[str]:
    seen: set[str] = set()
    found: list[str] = []
    for name, roles, _url in connections(type_token, inputs):
        if name not in seen:
            seen.add(name)
            found += _allowed_roles(name, as_list(roles))
    return found


_ADMIN_MANAGED_POLICIES = ("/AdministratorAccess", "/PowerUserAccess", "/IAMFullAccess")
_IAM_WRITE = re.compile(
    r"^iam:(\*|Pass\w*|Create\w*|Attach\w*|Put\w*|Update\w*|Add\w*|Set\w*|Upload\w*|Delete\w*|Detach\w*)$",
    re.IGNORECASE,
)


def _statements(inputs: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """The Allow statements of the role's policy document; None when it is not JSON."""
    document = field(inputs, "policyDocument")
    if not isinstance(document, str) or not document.strip():
        return []
    try:
        parsed = json.loads(document)
    except json.JSONDecodeError:
        return None
    statements = as_list(parsed.get("Statement") if isinstance(parsed, dict) else None)
    return [s for s in statements if isinstance(s, dict) and s.get("Effect") == "Allow"]


def _actions(statement: Mapping[str, Any]) -> list[str]:
    return [str(action) for action in as_list(statement.get("Action"))]


@resource_rule(
    "VP-AWS-001",
    types=(AWS_ROLE,),
    title="AWS role policy allowing `*`, `service:*` or NotAction, or attaching an admin managed policy",
    why="Wildcard actions grant everything the service (or AWS) adds later.",
    source=_AWS_LEAST_PRIVILEGE,
)
def aws_wildcard_actions(_type: str, inputs: Mapping[str, Any], _limits: Limits) -> list[str]:
    found = [
        f"attaches managed policy {arn}"
        for arn in as_list(field(inputs, "policyArns"))
        if str(arn).endswith(_ADMIN_MANAGED_POLICIES)
    ]
    statements = _statements(inputs)
    if statements is None:
        return [*found, "policy_document is not JSON: it cannot be reviewed"]
    for statement in statements:
        if "NotAction" in statement:
            found.append("Allow with NotAction grants everything not listed")
        broad = [a for a in _actions(statement) if a in {"*", "*:*"} or a.endswith(":*")]
        if broad:
            found.append(f"allows wildcard actions {broad}")
    return found


@resource_rule(
    "VP-AWS-002",
    types=(AWS_ROLE,),
    title="AWS role policy allowing actions on Resource `*`",
    why="Scope resources by ARN so a credential for one bucket or table is not a credential for all.",
    source=_AWS_LEAST_PRIVILEGE,
)
def aws_any_resource(_type: str, inputs: Mapping[str, Any], _limits: Limits) -> list[str]:
    return [
        f"allows {_actions(statement) or 'its actions'} on Resource *"
        for statement in _statements(inputs) or []
        if "*" in [str(resource) for resource in as_list(statement.get("Resource"))]
    ]


@resource_rule(
    "VP-AWS-003",
    types=(AWS_ROLE,),
    title="AWS role policy with IAM write actions (iam:*, PassRole, Create*/Attach*/Put*...)",
    why="IAM writes turn a short-lived Vault credential into a permanent AWS identity.",
    source="https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passrole.html",
)
def aws_iam_writes(_type: str, inputs: Mapping[str, Any], _limits: Limits) -> list[str]:
    found = []
    for statement in _statements(inputs) or []:
        iam = [action for action in _actions(statement) if _IAM_WRITE.match(action)]
        if iam:
            found.append(f"allows IAM writes {iam}")
    return found
