"""GitHub Actions' identities in Google Cloud: the provider's CEL, evaluated the way Google does on real
claim sets (cel-python), decides who is the deployer, who the read-only previewer, and who nobody."""

from __future__ import annotations

from typing import Any

import celpy
import pytest
import yaml

from infra.harness import REPO_ROOT, unwrap
from infra.platform import ci_identity

POOL = "gcp:iam/workloadIdentityPool:WorkloadIdentityPool"
PROVIDER = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider"
BINDING = "gcp:serviceaccount/iAMBinding:IAMBinding"
PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember"


def _evaluate(expression: str, activation: dict[str, Any]) -> Any:
    env = celpy.Environment()
    program = env.program(env.compile(expression))
    return program.evaluate({k: celpy.json_to_cel(v) for k, v in activation.items()})


def exchange(provider_inputs: dict[str, Any], claims: dict[str, Any]) -> str | None:
    """What Google's STS does with a GitHub token: map the attributes, then apply the condition.
    Returns the `ci_role` attribute of an accepted token, or None when the exchange is refused."""
    mapping = provider_inputs["attributeMapping"]
    attributes = {
        key.removeprefix("attribute."): str(_evaluate(expr, {"assertion": claims}))
        for key, expr in mapping.items()
        if key.startswith("attribute.")
    }
    accepted = _evaluate(
        provider_inputs["attributeCondition"], {"assertion": claims, "attribute": attributes}
    )
    return attributes["ci_role"] if bool(accepted) else None


def _claims(cfg, **overrides: Any) -> dict[str, Any]:
    d = cfg.deployer
    claims = {
        "iss": ci_identity.GITHUB_ISSUER,
        "aud": d.oidc_audience(),
        "sub": f"repo:{d.repository}:environment:{d.environment}",
        "repository": d.repository,
        "repository_id": str(d.repository_id),
        "repository_owner_id": str(d.repository_owner_id),
        "ref": d.ref,
        "event_name": "push",
        "job_workflow_ref": d.workflow_ref(),
        "environment": d.environment,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_one_pool_and_a_github_provider_for_this_environments_audience(program, one, config, stack):
    cfg = config(stack)
    resources = program(stack)
    pool = one(resources, POOL)
    provider = one(resources, PROVIDER).inputs
    assert pool.protect and one(resources, PROVIDER).protect
    assert provider["oidc"] == {
        "issuerUri": "https://token.actions.githubusercontent.com",
        "allowedAudiences": [f"vault-platform-{stack}"],
    }
    assert provider["oidc"]["allowedAudiences"] == [cfg.deployer.oidc_audience()]
    mapping = provider["attributeMapping"]
    for claim in ("ref", "event_name", "job_workflow_ref", "repository_id", "repository_owner_id"):
        assert mapping[f"attribute.{claim}"] == f"assertion.{claim}"
    assert "assertion.environment" in mapping["attribute.environment"]
    assert mapping["google.subject"] == "assertion.sub"
    condition = provider["attributeCondition"]
    assert f'assertion.repository_id == "{cfg.deployer.repository_id}"' in condition
    assert f'assertion.repository_owner_id == "{cfg.deployer.repository_owner_id}"' in condition


def test_audiences_differ_between_environments(program, one):
    audiences = {
        s: tuple(one(program(s), PROVIDER).inputs["oidc"]["allowedAudiences"]) for s in ("prod", "staging")
    }
    assert audiences["prod"] != audiences["staging"]


def policy(cfg, claims: dict[str, Any]) -> str | None:
    """The intended policy in plain Python, from config alone: an independent statement the CEL that
    Google evaluates must agree with."""
    d, p = cfg.deployer, cfg.previewer
    if claims.get("repository_id") != str(d.repository_id) or claims.get("repository_owner_id") != str(
        d.repository_owner_id
    ):
        return None
    if (
        claims["event_name"] in d.events
        and claims["ref"] == d.ref
        and claims["job_workflow_ref"] == d.workflow_ref()
        and claims.get("environment") == d.environment
    ):
        return "deployer"
    path, ref = claims["job_workflow_ref"].split("@", 1)
    if p.ref is not None and (claims["ref"] != p.ref or ref != p.ref):
        return None  # previewer.branch: only the reviewed branch's own workflows
    if claims["event_name"] in p.events and path in {f"{d.repository}/{w}" for w in p.workflows}:
        return "previewer"
    return None


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_who_gets_which_identity(program, one, config, stack):
    cfg = config(stack)
    d, repo = cfg.deployer, cfg.deployer.repository
    provider = unwrap(dict(one(program(stack), PROVIDER).inputs))
    preview = f"{repo}/.github/workflows/preview.yml@refs/pull/42/merge"
    pr = {"event_name": "pull_request", "ref": "refs/pull/42/merge"}
    cases = {
        "deploy on push to the deploy branch": _claims(cfg),
        "deploy dispatched by hand on the deploy branch": _claims(cfg, event_name="workflow_dispatch"),
        "a pull request's preview": _claims(cfg, **pr, job_workflow_ref=preview, environment=None),
        "the nightly drift check": _claims(
            cfg,
            event_name="schedule",
            job_workflow_ref=f"{repo}/.github/workflows/drift.yml@{d.ref}",
            environment=None,
        ),
        # Each of these is one claim away from the deployer: none may get it.
        "the deploy workflow edited on a branch": _claims(
            cfg, ref="refs/heads/evil", job_workflow_ref=f"{repo}/{d.workflow}@refs/heads/evil"
        ),
        # A branch's own workflow may call deploy.yml@main as a reusable workflow: job_workflow_ref is
        # then main's, only `ref` tells the run came from the branch.
        "a branch calling the deploy workflow of main": _claims(cfg, ref="refs/heads/evil"),
        "a PR running the deploy workflow": _claims(
            cfg, **pr, job_workflow_ref=f"{repo}/{d.workflow}@refs/pull/42/merge"
        ),
        "a PR whose preview workflow claims the deploy environment": _claims(
            cfg, **pr, job_workflow_ref=preview
        ),
        "deploy workflow without the environment gate": _claims(cfg, environment=None),
        "deploy workflow in the other environment": _claims(cfg, environment="elsewhere"),
        "another workflow on the deploy branch": _claims(
            cfg, job_workflow_ref=f"{repo}/.github/workflows/release.yml@{d.ref}"
        ),
        "a PR running another workflow": _claims(
            cfg, **pr, job_workflow_ref=f"{repo}/.github/workflows/release.yml@refs/pull/42/merge"
        ),
        "a branch's drift workflow dispatched by hand": _claims(
            cfg,
            event_name="workflow_dispatch",
            ref="refs/heads/evil",
            job_workflow_ref=f"{repo}/.github/workflows/drift.yml@refs/heads/evil",
            environment=None,
        ),
        "a fork or another repository with the same name": _claims(cfg, repository_id="1"),
        "another owner": _claims(cfg, repository_owner_id="2"),
    }
    outcome = {name: exchange(provider, claims) for name, claims in cases.items()}
    assert outcome == {name: policy(cfg, claims) for name, claims in cases.items()}
    # Whatever the previewer config allows, only the two real deploy runs are ever the deployer, and
    # nothing outside this repository gets anything.
    assert {name for name, role in outcome.items() if role == "deployer"} == {
        "deploy on push to the deploy branch",
        "deploy dispatched by hand on the deploy branch",
    }
    assert outcome["the nightly drift check"] == "previewer"
    # prod (previewer.branch: main): no PR code, and no branch's edited workflow, reads prod state (B3)
    expected = None if cfg.previewer.branch else "previewer"
    assert (
        outcome["a pull request's preview"]
        == outcome["a branch's drift workflow dispatched by hand"]
        == expected
    )
    assert (stack == "prod") == (cfg.previewer.branch == "main")
    assert outcome["a fork or another repository with the same name"] is None
    assert outcome["another owner"] is None
    assert outcome["a PR running another workflow"] is None


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_each_account_is_bound_to_its_principal_set_only(program, config, stack):
    cfg = config(stack)
    project, number = cfg.gcp.project, cfg.gcp.project_number
    bindings = {
        unwrap(r.inputs["serviceAccountId"]): unwrap(r.inputs)
        for r in program(stack)
        if r.type == BINDING and r.inputs.get("role") == "roles/iam.workloadIdentityUser"
    }
    pool = f"principalSet://iam.googleapis.com/projects/{number}/locations/global/workloadIdentityPools/github-actions"
    assert bindings == {
        f"projects/{project}/serviceAccounts/ci-deployer@{project}.iam.gserviceaccount.com": {
            "serviceAccountId": f"projects/{project}/serviceAccounts/ci-deployer@{project}.iam.gserviceaccount.com",
            "role": "roles/iam.workloadIdentityUser",
            "members": [f"{pool}/attribute.ci_role/deployer"],
        },
        f"projects/{project}/serviceAccounts/ci-previewer@{project}.iam.gserviceaccount.com": {
            "serviceAccountId": f"projects/{project}/serviceAccounts/ci-previewer@{project}.iam.gserviceaccount.com",
            "role": "roles/iam.workloadIdentityUser",
            "members": [f"{pool}/attribute.ci_role/previewer"],
        },
    }


def _grants(resources, account: str) -> dict[str, str]:
    return {
        unwrap(r.inputs["role"]): r.type.split(":")[2]
        for r in resources
        if r.type.endswith(("IAMMember", "IAMBinding"))
        and f"serviceAccount:{account}@" in str(unwrap(r.inputs.get("member")))
    }


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_the_previewer_can_only_read(program, stack):
    grants = _grants(program(stack), "ci-previewer")
    assert grants, "the previewer holds grants"
    read_only = ("viewer", "reader", "Viewer", "Reader", "securityReviewer", "cryptoKeyDecrypter")
    # ciClusterConnect only lets a request reach the DNS endpoint; what it may do there is the viewer's
    assert ci_identity.CLUSTER_CONNECT_PERMISSIONS == ("container.clusters.connect",)
    assert [
        role
        for role in grants
        if not role.rsplit("/", 1)[-1].endswith(read_only)
        and "Reader" not in role
        and not role.endswith(f"/{ci_identity.CLUSTER_CONNECT_ID}")
    ] == []
    # the stack secrets key's decrypt grant is the operator's (docs/bootstrap.md), not the program's
    assert "roles/cloudkms.cryptoKeyDecrypter" not in grants
    assert not set(grants) & {r for r in ci_identity.DEPLOYER_ROLES if not r.endswith(read_only)}
    assert not any("admin" in role.lower() or "editor" in role.lower() for role in grants)


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_the_deployer_may_grant_exactly_the_project_roles_the_program_grants(program, stack):
    resources = program(stack)
    project_roles = {
        unwrap(r.inputs["role"])
        for r in resources
        if r.type == PROJECT_MEMBER and r.inputs["role"] != "roles/resourcemanager.projectIamAdmin"
    }
    [admin] = [
        r
        for r in resources
        if r.type == PROJECT_MEMBER and r.inputs["role"] == "roles/resourcemanager.projectIamAdmin"
    ]
    expression = unwrap(admin.inputs["condition"])["expression"]
    listed = set(expression.split("hasOnly([", 1)[1].rstrip("])").replace('"', "").split(", "))
    assert listed == project_roles
    assert "roles/owner" not in listed and "roles/resourcemanager.projectIamAdmin" not in listed


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_no_ci_identity_holds_kms_at_project_scope_or_can_destroy_the_unseal_key(program, stack):
    resources = program(stack)
    # nor any IAM on the stack secrets key (an operator grants it), nor a way to rewrite custom roles
    assert not [r for r in resources if "stack-secrets" in r.name]
    assert "roles/iam.roleAdmin" not in _grants(resources, "ci-deployer")
    for account in ("ci-deployer", "ci-previewer"):
        grants = _grants(resources, account)
        assert not [role for role, kind in grants.items() if "cloudkms" in role and kind == "IAMMember"]
    assert not [
        p
        for p in ci_identity.UNSEAL_KEY_MANAGER_PERMISSIONS
        if p.endswith((".destroy", "useToDecrypt", "useToEncrypt"))
    ]


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_stack_secrets_key_is_the_secretsprovider_key(config, stack):
    document = yaml.safe_load((REPO_ROOT / f"Pulumi.{stack}.yaml").read_text())
    assert document["secretsprovider"] == f"gcpkms://{config(stack).gcp.stack_secrets_key}"


def test_the_provider_name_the_workflows_take():
    assert ci_identity.provider_name(123, "github-actions", "github") == (
        "projects/123/locations/global/workloadIdentityPools/github-actions/providers/github"
    )


def test_the_workflows_log_in_as_the_accounts_declared_here():
    # infra/ops/ci_env.py gives the workflows the emails from config: they must name these accounts.
    from infra.ops import ci_env

    assert (ci_env.GCP_DEPLOYER_ACCOUNT, ci_env.GCP_PREVIEWER_ACCOUNT) == (
        ci_identity.DEPLOYER_ID,
        ci_identity.PREVIEWER_ID,
    )
