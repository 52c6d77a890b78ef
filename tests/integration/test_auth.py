"""JWT (GitHub Actions OIDC) and Kubernetes auth: only the bound identities get in."""

from __future__ import annotations

import time
from typing import Any

import hvac
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from infra.local import tokenreview
from tests.integration.conftest import github_token, jwt_login, k8s_login

DEPLOYER = "deployer"


@pytest.fixture(scope="module")
def ci_service(env: Any) -> Any:
    return next(s for s in env.cfg.services if s.github)


def _ci_claims(service: Any) -> dict[str, Any]:
    return {"repository": service.github.repository, "ref": service.github.refs[0]}


def test_jwt_right_token_logs_in_with_its_policies(env: Any, github_key: Any, ci_service: Any) -> None:
    c = jwt_login(env, f"ci-{ci_service.name}", github_token(github_key, env, **_ci_claims(ci_service)))
    info = c.auth.token.lookup_self()["data"]
    assert f"svc-{ci_service.name}" in info["policies"]
    assert "default" not in info["policies"]  # token_no_default_policy
    assert info["ttl"] <= ci_service.token_ttl


def test_deployer_bound_to_repository_and_environment(env: Any, github_key: Any) -> None:
    good = {"repository": env.cfg.deployer.repository, "environment": env.cfg.deployer.environment}
    assert jwt_login(env, DEPLOYER, github_token(github_key, env, **good)).token
    with pytest.raises(hvac.exceptions.VaultError):
        jwt_login(env, DEPLOYER, github_token(github_key, env, **{**good, "environment": "prod-other"}))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"repository": "acme/other-repo"}, id="wrong-repository"),
        pytest.param({"ref": "refs/heads/feature"}, id="wrong-ref"),
        pytest.param({"aud": "https://github.com/evil"}, id="wrong-audience"),
        pytest.param({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, id="expired"),
        pytest.param({"iss": "https://evil.example"}, id="wrong-issuer"),
    ],
)
def test_jwt_refused(env: Any, github_key: Any, ci_service: Any, change: dict[str, Any]) -> None:
    token = github_token(github_key, env, **{**_ci_claims(ci_service), **change})
    with pytest.raises(hvac.exceptions.VaultError):
        jwt_login(env, f"ci-{ci_service.name}", token)


def test_jwt_signed_by_another_key_refused(env: Any, ci_service: Any) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(hvac.exceptions.VaultError):
        jwt_login(env, f"ci-{ci_service.name}", github_token(other, env, **_ci_claims(ci_service)))


@pytest.fixture(scope="module")
def k8s_service(env: Any) -> Any:
    return next(s for s in env.cfg.services if s.kubernetes)


def test_kubernetes_bound_account_logs_in(env: Any, sa_key: Any, k8s_service: Any) -> None:
    k = k8s_service.kubernetes
    c = k8s_login(env, sa_key, k8s_service.name, k.namespace, k.service_account)
    info = c.auth.token.lookup_self()["data"]
    assert f"svc-{k8s_service.name}" in info["policies"]
    # The alias the Vault layer pre-created carries the entity: the login landed on it.
    assert info["entity_id"]


@pytest.mark.parametrize(
    "who",
    [
        pytest.param("other-namespace", id="right-account-wrong-namespace"),
        pytest.param("other-account", id="wrong-account-right-namespace"),
        pytest.param("other-service", id="another-service's-account"),
    ],
)
def test_kubernetes_unbound_accounts_refused(env: Any, sa_key: Any, k8s_service: Any, who: str) -> None:
    k = k8s_service.kubernetes
    namespace, account = {
        "other-namespace": ("default", k.service_account),
        "other-account": (k.namespace, "default"),
        "other-service": next(
            (s.kubernetes.namespace, s.kubernetes.service_account)
            for s in env.cfg.services
            if s.kubernetes and s.name != k8s_service.name
        ),
    }[who]
    with pytest.raises(hvac.exceptions.VaultError):
        k8s_login(env, sa_key, k8s_service.name, namespace, account)


def test_kubernetes_token_not_signed_by_the_cluster_refused(env: Any, k8s_service: Any) -> None:
    """Right claims, foreign signature: Vault's claim checks pass, the TokenReview says no."""
    k = k8s_service.kubernetes
    forger = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(hvac.exceptions.VaultError):
        k8s_login(env, forger, k8s_service.name, k.namespace, k.service_account)


def test_kubernetes_wrong_audience_and_expired_refused(env: Any, sa_key: Any, k8s_service: Any) -> None:
    k = k8s_service.kubernetes
    with pytest.raises(hvac.exceptions.VaultError):
        k8s_login(env, sa_key, k8s_service.name, k.namespace, k.service_account, audience="not-vault")
    with pytest.raises(hvac.exceptions.VaultError):
        k8s_login(env, sa_key, k8s_service.name, k.namespace, k.service_account, expires_at=time.time() - 60)


def test_tokenreview_stand_in_rejects_foreign_signature(sa_key: Any) -> None:
    forged = tokenreview.mint(ec.generate_private_key(ec.SECP256R1()), "billing", "billing-api")
    answer = tokenreview.review(sa_key.public_key(), {"spec": {"token": forged, "audiences": ["vault"]}})
    assert answer["status"]["authenticated"] is False
