"""One real local environment for the whole integration session: KMS stand-in, 3 OpenBao nodes,
PostgreSQL and the TokenReview stand-in on free loopback ports, in a temporary state folder, configured
by the `local` stack's program. Always torn down, and the suite fails if any process it started is left.

Tests that disrupt the cluster (failover, restart, disaster recovery) run last, in that order.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hvac
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from infra.local import environment, postgres, processes, tokenreview
from infra.local.environment import Environment
from infra.local.state import State
from tests import servers

pytestmark = pytest.mark.integration

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
# Run order of disruptive modules; everything else (sharing the healthy cluster) runs before them.
LAST = ["test_failover.py", "test_restart.py", "test_disaster_recovery.py"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = Path(str(item.fspath)).name
        return LAST.index(name) + 1 if name in LAST else 0

    items.sort(key=rank)  # stable: keeps file order within a rank
    for item in items:
        if "tests/integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def env() -> Iterator[Environment]:
    if servers.bao() is None:
        pytest.skip(servers.NO_BAO)
    # Not pytest's tmp_path: its parents are 0700 root, and PostgreSQL runs as an unprivileged user
    # that must traverse to its data directory.
    root = Path(tempfile.mkdtemp(prefix="vaultctl-it-"))
    state = State(root)
    started = time.monotonic()
    try:
        environment_ = environment.up(state)
        environment_.phases["total"] = time.monotonic() - started
        yield environment_
    finally:
        environment.down(state)
        leftovers = [name for name in processes.names(state) if processes.running(state, name)]
        shutil.rmtree(root, ignore_errors=True)
        assert not leftovers, f"processes left running: {leftovers}"


@pytest.fixture(scope="session")
def pg(env: Environment) -> postgres.Postgres:
    if env.postgres is None:
        pytest.skip(env.postgres_note or "no PostgreSQL")
    return env.postgres


@pytest.fixture(scope="session")
def root(env: Environment) -> hvac.Client:
    return env.root_client()


@pytest.fixture(scope="session")
def github_key(env: Environment) -> Any:
    return serialization.load_pem_private_key(env.github_key().read_bytes(), password=None)


@pytest.fixture(scope="session")
def sa_key(env: Environment) -> Any:
    return serialization.load_pem_private_key(env.sa_issuer_key().read_bytes(), password=None)


def github_token(key: Any, env: Environment, **claims: Any) -> str:
    """A GitHub Actions OIDC token as GitHub signs it, here signed by the local issuer key (PyJWT)."""
    now = int(time.time())
    body = {
        "iss": GITHUB_ISSUER,
        "aud": env.cfg.github_oidc.audience,
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "sub": "repo:acme/none:ref:refs/heads/main",
        "repository": "acme/none",
        "ref": "refs/heads/main",
        "event_name": "push",
        **claims,
    }
    return jwt.encode({k: v for k, v in body.items() if v is not None}, key, algorithm="ES256")


def ci_token(key: Any, claims: dict[str, Any]) -> str:
    """A GitHub Actions job's ID token with exactly these claims, signed by the local issuer (PyJWT)."""
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm="ES256")


def unauthenticated(env: Environment) -> hvac.Client:
    leader = env.leader()
    return hvac.Client(url=leader.api_addr, verify=str(env.ca_cert), timeout=10)


_last_login = [0.0]
# The local stack's `login-jwt` quota: 20 requests/s, then the client is blocked for a minute. The
# parametrized refusal tests log in back to back: keep them well under the rate, as CI jobs are.
LOGIN_INTERVAL = 0.1


def jwt_login(env: Environment, role: str, token: str) -> hvac.Client:
    wait = _last_login[0] + LOGIN_INTERVAL - time.monotonic()
    if wait > 0:
        time.sleep(wait)
    _last_login[0] = time.monotonic()
    c = unauthenticated(env)
    c.auth.jwt.jwt_login(role=role, jwt=token, path=env.cfg.github_oidc.path)
    return c


def k8s_login(
    env: Environment, sa_key: Any, role: str, namespace: str, account: str, **kw: Any
) -> hvac.Client:
    c = unauthenticated(env)
    c.auth.kubernetes.login(
        role=role,
        jwt=tokenreview.mint(sa_key, namespace, account, **kw),
        mount_point=env.cfg.kubernetes_auth.path,
    )
    return c


def service_login(env: Environment, sa_key: Any, github_key: Any, name: str) -> hvac.Client:
    """Log in as a catalog service through its own identity (Kubernetes first, else GitHub)."""
    service = next(s for s in env.cfg.services if s.name == name)
    if service.kubernetes:
        k = service.kubernetes
        return k8s_login(env, sa_key, service.name, k.namespace, k.service_account)
    assert service.github
    ref = service.github.refs[0] if service.github.refs else None
    envname = service.github.environments[0] if service.github.environments else None
    token = github_token(github_key, env, repository=service.github.repository, ref=ref, environment=envname)
    return jwt_login(env, f"ci-{service.name}", token)
