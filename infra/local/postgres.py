"""A local PostgreSQL under the state folder, for the database secrets engine.

Found in PATH or where Debian's `postgresql` package puts it (/usr/lib/postgresql/<major>/bin). When
this runs as root (CI, containers), PostgreSQL refuses root, so the server runs as the distro's
`postgres` account (created by the Debian package), else as `nobody`: an unprivileged user that owns
only the data directory. It listens on 127.0.0.1 only, with no Unix socket, and password (SCRAM) auth.

Roles: a superuser (password in secrets/, used for bootstrap and by tests to inspect), and
`vault_admin`, which owns the `app` database and may create roles but is not a superuser: the database
engine needs no more, and after `rotate-root` only Vault knows its password.
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from infra.local import processes
from infra.local.ports import LOOPBACK, wait_listening
from infra.local.state import State

NAME = "postgres"
SUPERUSER = "postgres"
INSTALL_HINT = (
    "PostgreSQL not found (initdb/postgres): install it with `apt-get install postgresql` "
    "(Debian/Ubuntu) to get the database engine locally"
)


@dataclass(frozen=True)
class Postgres:
    port: int
    database: str
    admin_user: str
    admin_password: str  # the bootstrap password; Vault rotates it away after configuring

    def dsn(self, user: str, password: str, database: str | None = None) -> str:
        return (
            f"host={LOOPBACK} port={self.port} dbname={database or self.database} user={user} "
            f"password={password} sslmode=disable connect_timeout=5"
        )


def find_binaries() -> Path | None:
    """The directory holding initdb + postgres, or None."""
    initdb = shutil.which("initdb")
    if initdb and shutil.which("postgres"):
        return Path(os.path.realpath(initdb)).parent
    found = []
    for candidate in Path("/usr/lib/postgresql").glob("*/bin"):
        if (candidate / "initdb").is_file() and (candidate / "postgres").is_file():
            major = re.match(r"\d+", candidate.parent.name)
            found.append((int(major.group()) if major else 0, candidate))
    return max(found)[1] if found else None


def run_as_user() -> str | None:
    """Who runs PostgreSQL: ourselves, or (as root) the `postgres` account, else `nobody`."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root and neither a `postgres` nor a `nobody` account exists")


def _data(state: State) -> Path:
    return state.postgres_dir / "data"


def _as_user(user: str | None) -> dict:
    if user is None:
        return {}
    entry = pwd.getpwnam(user)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _chown(path: Path, user: str | None) -> None:
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _single_user(bindir: Path, data: Path, database: str, sql: list[str], user: str | None) -> None:
    """Run statements in single-user mode (no network is open yet): one statement per line."""
    result = subprocess.run(
        [str(bindir / "postgres"), "--single", "-D", str(data), database],
        input="\n".join(s.replace("\n", " ") for s in sql) + "\n",
        capture_output=True,
        text=True,
        env=processes.clean_env(),
        check=False,
        **_as_user(user),
    )
    if result.returncode != 0 or "ERROR:" in result.stderr:
        # stderr carries server messages, not our statements (which hold a password): safe to show.
        raise RuntimeError(f"PostgreSQL bootstrap failed: {result.stderr.strip()[-800:]}")


def _initdb(state: State, bindir: Path, user: str | None, database: str, admin_user: str) -> None:
    data = _data(state)
    state.postgres_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(state.postgres_dir, 0o711)  # noqa: S103 (the server user traverses to data/)
    data.mkdir(mode=0o700, exist_ok=True)
    _chown(data, user)
    superuser_password = secrets.token_urlsafe(24)
    admin_password = secrets.token_urlsafe(24)
    state.write_secret("postgres-superuser", superuser_password)
    state.write_secret("postgres-vault-admin-initial", admin_password)
    pwfile = state.postgres_dir / ".pwfile"
    fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(superuser_password + "\n")
    _chown(pwfile, user)
    try:
        result = subprocess.run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                f"--pwfile={pwfile}",
                "--auth-host=scram-sha-256",
                "--auth-local=scram-sha-256",
                "--encoding=UTF8",
                "--no-locale",
                # Like fsync=off below: a throwaway local database. initdb's own syncs took seconds
                # on a busy shared disk, on the critical path of `local up`.
                "--no-sync",
            ],
            capture_output=True,
            text=True,
            env=processes.clean_env(),
            check=False,
            **_as_user(user),
        )
    finally:
        pwfile.unlink(missing_ok=True)
    if result.returncode != 0:
        raise RuntimeError(f"initdb failed: {result.stderr.strip()[-800:]}")
    _single_user(
        bindir,
        data,
        "postgres",
        [
            f"CREATE ROLE {admin_user} WITH LOGIN CREATEROLE PASSWORD '{admin_password}';",
            f"CREATE DATABASE {database} OWNER {admin_user};",
        ],
        user,
    )
    # A table owned by vault_admin, so the roles' GRANTs have something to grant and tests something
    # to read and write.
    _single_user(
        bindir,
        data,
        database,
        [
            f"SET ROLE {admin_user};",
            "CREATE TABLE public.items (id serial PRIMARY KEY, name text NOT NULL);",
            "INSERT INTO public.items (name) VALUES ('seed');",
        ],
        user,
    )


def start(state: State, port: int, database: str = "app", admin_user: str = "vault_admin") -> Postgres:
    """Initialize once, start (unless running), return how to reach it. RuntimeError with
    INSTALL_HINT when the binaries are missing."""
    bindir = find_binaries()
    if bindir is None:
        raise RuntimeError(INSTALL_HINT)
    user = run_as_user()
    data = _data(state)
    if not (data / "PG_VERSION").is_file():
        _initdb(state, bindir, user, database, admin_user)
    if processes.running(state, NAME) is None:
        proc = processes.start(
            state,
            NAME,
            [
                str(bindir / "postgres"),
                "-D",
                str(data),
                "-p",
                str(port),
                "-c",
                f"listen_addresses={LOOPBACK}",
                "-c",
                "unix_socket_directories=",
                "-c",
                "fsync=off",  # a throwaway local database: durability across power loss is not needed
            ],
            env=processes.clean_env(),
            marker=str(data),
            user=user,
        )
        wait_listening(port, proc.pid)
    return Postgres(port, database, admin_user, state.read_secret("postgres-vault-admin-initial"))


def superuser_password(state: State) -> str:
    return state.read_secret("postgres-superuser")


def stop(state: State) -> bool:
    # SIGINT is PostgreSQL's "fast" shutdown: disconnect clients, checkpoint, exit.
    return processes.stop(state, NAME, signal.SIGINT)
