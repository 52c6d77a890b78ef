"""The PostgreSQL database secrets engine: connection, dynamic and static roles, root rotation."""

from __future__ import annotations

import pulumi
import pulumi_vault as vault

from infra.config import DatabaseConfig, DatabaseRole
from infra.vault._opts import child, rotate_root_once, secret

# Explicit privileges only: never ALL, SUPERUSER or CREATEROLE (the policy rules reject them).
_GRANTS = {
    "readonly": ["SELECT"],
    "readwrite": ["SELECT", "INSERT", "UPDATE", "DELETE"],
}


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def creation_statements(role: DatabaseRole) -> list[str]:
    schema = _ident(role.schema_name)
    statements = [
        "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}' NOINHERIT;",
        f'GRANT USAGE ON SCHEMA {schema} TO "{{{{name}}}}";',
        f'GRANT {", ".join(_GRANTS[role.access])} ON ALL TABLES IN SCHEMA {schema} TO "{{{{name}}}}";',
    ]
    if role.access == "readwrite":
        statements.append(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO "{{{{name}}}}";')
    return statements


def revocation_statements(role: DatabaseRole) -> list[str]:
    # Revoke before dropping: PostgreSQL refuses to drop a role that still holds privileges.
    schema = _ident(role.schema_name)
    return [
        f'REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA {schema} FROM "{{{{name}}}}";',
        f'REVOKE ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA {schema} FROM "{{{{name}}}}";',
        f'REVOKE USAGE ON SCHEMA {schema} FROM "{{{{name}}}}";',
        'DROP ROLE IF EXISTS "{{name}}";',
    ]


def connection_url(db: DatabaseConfig) -> str:
    # Vault fills {{username}}/{{password}} itself, so the password is never part of the URL.
    return f"postgresql://{{{{username}}}}:{{{{password}}}}@{db.host}:{db.port}/{db.database}?sslmode={db.sslmode}"


def declare_database(db: DatabaseConfig, parent: pulumi.Resource) -> vault.Mount:
    mount = vault.Mount(
        "database",
        path=db.path,
        type="database",
        description="PostgreSQL",
        # Deleting the mount revokes every issued credential and forgets the rotated root (protect).
        opts=pulumi.ResourceOptions.merge(child(parent), pulumi.ResourceOptions(protect=True)),
    )
    names = [r.name for r in db.roles] + [r.name for r in db.static_roles]
    connection = vault.database.SecretBackendConnection(
        f"database-connection-{db.connection}",
        backend=mount.path,
        name=db.connection,
        plugin_name="postgresql-database-plugin",
        verify_connection=db.verify_connection,
        allowed_roles=names,  # explicit: a role not listed here cannot use this connection
        postgresql=vault.database.SecretBackendConnectionPostgresqlArgs(
            connection_url=connection_url(db),
            username=db.username,
            password=secret(db.password.get_secret_value()),
            password_authentication="scram-sha-256",  # noqa: S106 (the hash method, not a password)
        ),
        # After rotate-root only Vault knows the password: never push the bootstrap one again.
        opts=pulumi.ResourceOptions(
            parent=parent, depends_on=[mount], ignore_changes=["postgresql.password"]
        ),
    )
    roles: list[pulumi.Resource] = []
    for role in db.roles:
        roles.append(
            vault.database.SecretBackendRole(
                f"database-role-{role.name}",
                backend=mount.path,
                name=role.name,
                db_name=connection.name,
                creation_statements=creation_statements(role),
                revocation_statements=revocation_statements(role),
                default_ttl=role.default_ttl,
                max_ttl=role.max_ttl,
                opts=child(parent, connection),
            )
        )
    for static in db.static_roles:
        roles.append(
            vault.database.SecretBackendStaticRole(
                f"database-static-role-{static.name}",
                backend=mount.path,
                name=static.name,
                db_name=connection.name,
                username=static.username,
                rotation_period=static.rotation_period,
                opts=child(parent, connection),
            )
        )
    if db.rotate_root:
        rotate_root_once(
            f"database-rotate-root-{db.connection}",
            pulumi.Output.concat(mount.path, "/rotate-root/", connection.name),
            parent,
            connection,
            *roles,
        )
    return mount
