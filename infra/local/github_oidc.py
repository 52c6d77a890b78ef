"""The local GitHub Actions OIDC issuer: ID tokens shaped like the ones GitHub gives a workflow job.

GitHub signs a JSON Web Token per job with the claims below (docs.github.com, "About security hardening
with OpenID Connect": repository and owner names and numeric ids, ref, event_name, environment,
job_workflow_ref, workflow_ref, sub, aud...; every value a string). The local issuer signs the same
shape with the key whose public half the local JWT auth method trusts (`jws.py`), so the deployer and
previewer roles' bound claims are exercised exactly as GitHub's tokens would exercise them.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from infra.config import StackConfig
from infra.local import jws

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"


def job_claims(
    cfg: StackConfig,
    *,
    workflow: str,
    event: str,
    ref: str,
    environment: str | None = None,
    audience: str | None = None,
    lifetime: int = 300,
) -> dict[str, Any]:
    """The claims of a job of this repository's `workflow`, triggered by `event` on `ref`."""
    d = cfg.deployer
    owner = d.repository.split("/", 1)[0]
    if environment:
        sub = f"repo:{d.repository}:environment:{environment}"
    elif event == "pull_request":
        sub = f"repo:{d.repository}:pull_request"
    else:
        sub = f"repo:{d.repository}:ref:{ref}"
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": cfg.github_oidc.bound_issuer or GITHUB_ISSUER,
        "aud": audience or d.oidc_audience(),
        "sub": sub,
        "jti": str(uuid.uuid4()),
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
        "repository": d.repository,
        "repository_id": str(d.repository_id),
        "repository_owner": owner,
        "repository_owner_id": str(d.repository_owner_id),
        "repository_visibility": "private",
        "ref": ref,
        "ref_type": "branch" if ref.startswith("refs/heads/") else "",
        "event_name": event,
        "workflow": workflow.rsplit("/", 1)[-1],
        "workflow_ref": f"{d.repository}/{workflow}@{ref}",
        "job_workflow_ref": f"{d.repository}/{workflow}@{ref}",
        "sha": "0" * 40,
        "job_workflow_sha": "0" * 40,
        "run_id": "1",
        "run_number": "1",
        "run_attempt": "1",
        "actor": "local-operator",
        "actor_id": "1",
        "runner_environment": "self-hosted",
    }
    if environment:
        claims["environment"] = environment
    return claims


def deploy_job(cfg: StackConfig, **overrides: Any) -> dict[str, Any]:
    """The deploy workflow's job on the deploy branch, in the deploy environment (what `deployer` binds)."""
    d = cfg.deployer
    claims = job_claims(cfg, workflow=d.workflow, event=d.events[0], ref=d.ref, environment=d.environment)
    return {**claims, **overrides}


def preview_job(cfg: StackConfig, pull_request: int = 7, **overrides: Any) -> dict[str, Any]:
    """A pull request's preview job (GitHub runs it on `refs/pull/<N>/merge`, outside environments)."""
    claims = job_claims(
        cfg, workflow=cfg.previewer.workflows[0], event="pull_request", ref=f"refs/pull/{pull_request}/merge"
    )
    return {**claims, **overrides}


def mint(key: ec.EllipticCurvePrivateKey, claims: dict[str, Any]) -> str:
    return jws.sign(key, {k: v for k, v in claims.items() if v is not None})
