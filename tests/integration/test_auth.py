"""JWT (GitHub Actions OIDC) and Kubernetes auth: only the bound identities get in."""

from __future__ import annotations

import time
from typing import Any

import hvac
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from infra.local import github_oidc, tokenreview
from tests.integration.conftest import ci_token, github_token, jwt_login, k8s_login

DEPLOYER = "deployer"
PREVIEWER = "previewer"


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


def test_deployer_logs_in_from_the_deploy_job_only(env: Any, github_key: Any) -> None:
    job = github_oidc.deploy_job(env.cfg)
    c = jwt_login(env, DEPLOYER, ci_token(github_key, job))
    info = c.auth.token.lookup_self()["data"]
    assert info["policies"] == ["deployer"] and info["ttl"] <= env.cfg.deployer.token_ttl
    dispatch = {**job, "event_name": "workflow_dispatch"}
    assert jwt_login(env, DEPLOYER, ci_token(github_key, dispatch)).token


REPO = "acme/vault-platform"  # Pulumi.local.yaml deployer.repository
DEPLOY_JOB_CHANGES = [
    pytest.param({"ref": "refs/heads/feature"}, id="other-branch"),
    pytest.param({"ref": "refs/pull/7/merge", "event_name": "pull_request"}, id="pull-request"),
    pytest.param({"event_name": "pull_request"}, id="pull_request-event"),
    pytest.param({"event_name": "schedule"}, id="schedule-event"),
    # The deploy workflow as a branch edited it: GitHub names the ref the file was read from.
    pytest.param(
        {"job_workflow_ref": f"{REPO}/.github/workflows/deploy.yml@refs/heads/feature"},
        id="workflow-from-branch",
    ),
    pytest.param(
        {"job_workflow_ref": f"{REPO}/.github/workflows/preview.yml@refs/heads/main"}, id="other-workflow"
    ),
    pytest.param({"repository_id": "1"}, id="other-repository-id"),
    pytest.param({"repository_owner_id": "1"}, id="other-owner-id"),
    pytest.param({"environment": "prod"}, id="other-environment"),
    pytest.param({"environment": None}, id="no-environment"),
    pytest.param({"aud": "https://github.com/acme"}, id="github-default-audience"),
    pytest.param({"aud": "vault-platform-prod"}, id="other-environments-audience"),
]


@pytest.mark.parametrize("change", DEPLOY_JOB_CHANGES)
def test_deployer_refuses_a_token_from_anywhere_else(
    env: Any, github_key: Any, change: dict[str, Any]
) -> None:
    claims = {**github_oidc.deploy_job(env.cfg), **change}
    with pytest.raises(hvac.exceptions.VaultError):
        jwt_login(env, DEPLOYER, ci_token(github_key, claims))


def test_previewer_logs_in_from_pull_requests_and_drift(env: Any, github_key: Any) -> None:
    pr = github_oidc.preview_job(env.cfg, pull_request=42)
    c = jwt_login(env, PREVIEWER, ci_token(github_key, pr))
    assert c.auth.token.lookup_self()["data"]["policies"] == ["previewer"]
    drift = github_oidc.job_claims(
        env.cfg, workflow=".github/workflows/drift.yml", event="schedule", ref="refs/heads/main"
    )
    assert jwt_login(env, PREVIEWER, ci_token(github_key, drift)).token


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"event_name": "pull_request_target"}, id="pull_request_target-event"),
        pytest.param({"event_name": "release"}, id="release-event"),
        pytest.param(
            {"job_workflow_ref": f"{REPO}/.github/workflows/tools.yml@refs/pull/42/merge"},
            id="workflow-not-listed",
        ),
        pytest.param(
            # A file whose name starts like a listed one: the glob is only ever the ref after `@`.
            {"job_workflow_ref": f"{REPO}/.github/workflows/preview.yml.evil.yml@refs/pull/42/merge"},
            id="workflow-name-prefix",
        ),
        pytest.param(
            {"job_workflow_ref": "other/repo/.github/workflows/preview.yml@refs/pull/1/merge"},
            id="fork-workflow",
        ),
        pytest.param({"repository_id": "1"}, id="other-repository-id"),
        pytest.param({"aud": "https://github.com/acme"}, id="github-default-audience"),
    ],
)
def test_previewer_refuses_other_jobs(env: Any, github_key: Any, change: dict[str, Any]) -> None:
    claims = {**github_oidc.preview_job(env.cfg, pull_request=42), **change}
    with pytest.raises(hvac.exceptions.VaultError):
        jwt_login(env, PREVIEWER, ci_token(github_key, claims))


def test_ci_role_refuses_pull_request_runs(env: Any, github_key: Any, ci_service: Any) -> None:
    token = github_token(github_key, env, **{**_ci_claims(ci_service), "event_name": "pull_request"})
    with pytest.raises(hvac.exceptions.VaultError):
        jwt_login(env, f"ci-{ci_service.name}", token)


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
