"""Dynamic PostgreSQL credentials: issued to the services the catalog names, with exactly their grants."""

from __future__ import annotations

from typing import Any

import hvac
import psycopg
import pytest

from infra.local import postgres
from tests.integration.conftest import service_login


def _service_for(env: Any, role: str) -> str:
    return next(s.name for s in env.cfg.services if s.database_role == role)


def _creds(env: Any, sa_key: Any, github_key: Any, role: str) -> tuple[dict[str, Any], hvac.Client]:
    c = service_login(env, sa_key, github_key, _service_for(env, role))
    return c.secrets.database.generate_credentials(role, mount_point=env.cfg.database.path), c


def _connect(pg: postgres.Postgres, creds: dict[str, Any]) -> psycopg.Connection:
    return psycopg.connect(pg.dsn(creds["data"]["username"], creds["data"]["password"]), autocommit=True)


def _role_exists(env: Any, pg: postgres.Postgres, name: str) -> bool:
    dsn = pg.dsn(postgres.SUPERUSER, postgres.superuser_password(env.state), "postgres")
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is not None


def test_readonly_reads_and_cannot_write(env: Any, pg: Any, sa_key: Any, github_key: Any) -> None:
    creds, _ = _creds(env, sa_key, github_key, "readonly")
    with _connect(pg, creds) as conn:
        assert conn.execute("SELECT count(*) FROM items").fetchone()[0] >= 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO items (name) VALUES ('nope')")


def test_readwrite_writes(env: Any, pg: Any, sa_key: Any, github_key: Any) -> None:
    creds, _ = _creds(env, sa_key, github_key, "readwrite")
    with _connect(pg, creds) as conn:
        conn.execute("INSERT INTO items (name) VALUES ('from-readwrite')")
        assert conn.execute("SELECT count(*) FROM items WHERE name = 'from-readwrite'").fetchone()[0] == 1


def test_service_cannot_take_the_other_role(env: Any, sa_key: Any, github_key: Any) -> None:
    c = service_login(env, sa_key, github_key, _service_for(env, "readonly"))
    with pytest.raises(hvac.exceptions.Forbidden):
        c.secrets.database.generate_credentials("readwrite", mount_point=env.cfg.database.path)


def test_revoking_the_lease_drops_the_role(
    env: Any, pg: Any, root: Any, sa_key: Any, github_key: Any
) -> None:
    creds, _ = _creds(env, sa_key, github_key, "readonly")
    user = creds["data"]["username"]
    assert _role_exists(env, pg, user)
    root.sys.revoke_lease(creds["lease_id"])
    assert not _role_exists(env, pg, user)
    with pytest.raises(psycopg.OperationalError):
        _connect(pg, creds)


def test_root_rotated_and_engine_still_works(
    env: Any, pg: Any, root: Any, sa_key: Any, github_key: Any
) -> None:
    # `up` applied rotate-root: the bootstrap password no longer opens the admin account.
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(pg.dsn(pg.admin_user, pg.admin_password))
    root.adapter.post(f"/v1/{env.cfg.database.path}/rotate-root/{env.cfg.database.connection}")
    creds, _ = _creds(env, sa_key, github_key, "readwrite")
    with _connect(pg, creds) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
