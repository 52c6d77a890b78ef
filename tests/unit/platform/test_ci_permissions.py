"""Every type the program declares, against what the CI identities hold (infra/platform/ci_permissions.py).

A real `pulumi up --refresh` as ci-deployer and `pulumi preview --refresh` as ci-previewer call, for each
resource in state, the APIs this table names; a 403 on any of them fails the whole run. So a new type
cannot land without its row, and a role change cannot drop a permission a declared type needs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from infra.platform import ci_permissions as cp
from infra.platform.ci_identity import DEPLOYER_ID, KMS_PROJECT_ROLES, PREVIEWER_ID, operator_grants
from infra.platform.identity import service_account_email

STACKS = ["prod", "staging"]


def _email(config, stack: str, account: str) -> str:
    return service_account_email(config(stack).gcp.project, account)


@pytest.mark.parametrize("stack", STACKS)
def test_every_declared_type_has_a_row(program, stack):
    assert cp.unmapped(r.type for r in program(stack)) == []


def test_an_unknown_type_is_reported():
    assert cp.unmapped(["gcp:compute/instance:Instance", "tls:index/privateKey:PrivateKey"]) == [
        "gcp:compute/instance:Instance"
    ]


def _gaps(declared, email: str, *, deployer: bool, outside=None) -> dict[str, list[str]]:
    held = cp.holdings(declared, email, outside)
    gaps = {}
    for r in declared:
        need = cp.GCP_NEEDS.get(r.type)
        write = deployer and (need is None or bool(need.write))
        if lacking := cp.missing(r, declared, held, write=write):
            gaps[f"{r.type} {r.name}"] = lacking
    return gaps


@pytest.mark.parametrize("stack", STACKS)
def test_the_deployer_can_apply_and_refresh_every_declared_resource(program, config, stack):
    declared = program(stack)
    outside = operator_grants(config(stack), DEPLOYER_ID)
    assert _gaps(declared, _email(config, stack, DEPLOYER_ID), deployer=True, outside=outside) == {}


@pytest.mark.parametrize("stack", STACKS)
def test_the_previewer_can_refresh_every_declared_resource(program, config, stack):
    declared = program(stack)
    outside = operator_grants(config(stack), PREVIEWER_ID)
    assert _gaps(declared, _email(config, stack, PREVIEWER_ID), deployer=False, outside=outside) == {}


@pytest.mark.parametrize("stack", STACKS)
def test_the_previewer_reads_only_the_declared_secrets(program, stack):
    declared = program(stack)
    held = cp.holdings(declared, _email_of(declared, PREVIEWER_ID))
    secrets = {
        (r.inputs["metadata"]["namespace"], r.inputs["metadata"]["name"])
        for r in declared
        if r.type == "kubernetes:core/v1:Secret"
    }
    granted = {(ns, name) for ns, names in held.rbac_get.items() for name in names}
    assert granted == secrets  # no wildcard, nothing beyond what a refresh reads
    everywhere = held.everywhere()
    assert "container.secrets.get" not in everywhere and "container.secrets.list" not in everywhere


def _email_of(declared, account_id: str) -> str:
    [account] = [
        r for r in declared if r.type == "gcp:serviceaccount/account:Account" and r.name == account_id
    ]
    return f"{account.inputs['accountId']}@{account.inputs['project']}.iam.gserviceaccount.com"


@pytest.mark.parametrize("stack", STACKS)
def test_what_the_ci_identities_can_never_do(program, config, stack):
    declared = program(stack)
    cfg = config(stack)
    deployer = cp.holdings(declared, _email(config, stack, DEPLOYER_ID), operator_grants(cfg, DEPLOYER_ID))
    previewer = cp.holdings(declared, _email(config, stack, PREVIEWER_ID), operator_grants(cfg, PREVIEWER_ID))
    every_deployer_scope = deployer.everywhere()
    # no key version destroyed, no custom role rewritten (then granted: M2), no key used
    for forbidden in (
        "cloudkms.cryptoKeyVersions.destroy",
        "iam.roles.create",
        "iam.roles.update",
        "cloudkms.cryptoKeyVersions.useToDecrypt",
    ):
        assert forbidden not in every_deployer_scope, forbidden
    writes = {p for need in cp.GCP_NEEDS.values() for p in need.write}
    assert not writes & previewer.everywhere()


def test_a_lost_permission_is_caught(program, config):
    """The check fires: without the previewer's Secret Role, or the deployer's firewall role."""
    declared = program("prod")
    outside = operator_grants(config("prod"), PREVIEWER_ID)
    no_rbac = [r for r in declared if not r.name.startswith("ci-previewer-secret-reader")]
    gaps = _gaps(no_rbac, _email(config, "prod", PREVIEWER_ID), deployer=False, outside=outside)
    assert gaps["kubernetes:core/v1:Secret tls"] == ["container.secrets.get"]
    # without the operator's roleViewer on the KMS project: the refresh of its custom roles fails
    gaps = _gaps(declared, _email(config, "prod", PREVIEWER_ID), deployer=False)
    assert gaps["gcp:projects/iAMCustomRole:IAMCustomRole unseal-role"] == ["iam.roles.get"]
    no_firewall = [r for r in declared if r.name != "ci-deployer-firewall-admin"]
    gaps = _gaps(no_firewall, _email(config, "prod", DEPLOYER_ID), deployer=True)
    assert (
        "compute.firewalls.create"
        in gaps["gcp:compute/firewall:Firewall injector-webhook-from-control-plane"]
    )


@pytest.mark.parametrize("stack", STACKS)
def test_each_resource_is_checked_in_its_own_project(program, config, stack):
    """KMS resources (ring, key, their IAM, the custom roles granted on them) and the snapshot bucket
    with its IAM are the KMS (recovery) project's;
    everything else, Kubernetes objects included, the workload project's."""
    declared = program(stack)
    cfg = config(stack)
    assert cfg.kms_project() != cfg.gcp.project
    projects = {(r.type, r.name): cp.resource_project(r, declared) for r in declared}
    for (type_, name), project in projects.items():
        if not type_.startswith(("gcp:", "kubernetes:")):
            continue
        in_kms = type_.startswith(("gcp:kms/", "gcp:storage/")) or name in (
            "unseal-role",
            "ci-unseal-key-manager",
            "ci-key-ring-reader",
            "ci-unseal-key-reader",
        )
        assert project == (cfg.kms_project() if in_kms else cfg.gcp.project), (type_, name)


def test_a_project_grant_does_not_reach_another_project(program, config):
    """The check fires: the workload project's roleViewer does not read a custom role of the KMS
    project, and the same grant made on the KMS project does."""
    declared = program("prod")
    cfg = config("prod")
    email = _email(config, "prod", PREVIEWER_ID)
    [kms_role] = [r for r in declared if r.name == "unseal-role"]
    held = cp.holdings(declared, email)
    assert "iam.roles.get" in held.project[cfg.gcp.project]
    assert cp.missing(kms_role, declared, held, write=False) == ["iam.roles.get"]
    held = cp.holdings(declared, email, {"roles/iam.roleViewer": [f"projects/{cfg.kms_project()}"]})
    assert cp.missing(kms_role, declared, held, write=False) == []


def test_kubernetes_objects_need_the_dns_endpoint(program, config):
    """Without `container.clusters.connect` on the cluster's project no Kubernetes object is reachable."""
    declared = program("prod")
    cfg = config("prod")
    held = cp.holdings(declared, _email(config, "prod", DEPLOYER_ID))
    held.project[cfg.gcp.project].discard(cp.K8S_CONNECT)
    [statefulset] = [r for r in declared if r.type == "kubernetes:apps/v1:StatefulSet"][:1]
    assert cp.missing(statefulset, declared, held, write=False) == [cp.K8S_CONNECT]


def _documented_kms_project_grants(text: str) -> dict[str, set[str]]:
    """account -> roles the bootstrap's `for account in ...` loops grant on the KMS project."""
    granted: dict[str, set[str]] = {}
    for accounts, role in re.findall(
        r"for account in ([^;\n]+); do\n\s+gcloud projects add-iam-policy-binding acme-vault-<env>-kms "
        r"--role (\S+)",
        text,
    ):
        for account in accounts.split():
            granted.setdefault(account, set()).add(role)
    return granted


def test_the_operator_grants_the_model_counts_are_in_the_bootstrap():
    text = (Path(__file__).parents[3] / "docs" / "bootstrap.md").read_text()
    documented = _documented_kms_project_grants(text)
    assert documented == {account: set(roles) for account, roles in KMS_PROJECT_ROLES.items()}
    assert _documented_kms_project_grants(text.replace("acme-vault-<env>-kms --role", "x --role")) == {}
