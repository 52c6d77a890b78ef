"""Workload Identity: each Google account is usable by exactly one Kubernetes service account; no keys."""

from __future__ import annotations

import pytest

from infra.harness import unwrap
from infra.names import SNAPSHOT_SERVICE_ACCOUNT, VAULT_SERVICE_ACCOUNT


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_no_service_account_keys_anywhere(program, stack):
    types = {r.type for r in program(stack)}
    assert not {t for t in types if "serviceaccount/key" in t.lower() or "hmackey" in t.lower()}
    assert "gcp:serviceaccount/account:Account" in types  # the check looks at the right names


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_workload_identity_bindings_name_one_kubernetes_account_each(program, config, stack):
    cfg = config(stack)
    project, ns = cfg.gcp.project, cfg.cluster.namespace
    bindings = {
        unwrap(r.inputs["serviceAccountId"]): r.inputs
        for r in program(stack)
        if r.type == "gcp:serviceaccount/iAMMember:IAMMember"
    }
    expected = {
        f"projects/{project}/serviceAccounts/vault-server@{project}.iam.gserviceaccount.com": VAULT_SERVICE_ACCOUNT,
        f"projects/{project}/serviceAccounts/vault-snapshot@{project}.iam.gserviceaccount.com": SNAPSHOT_SERVICE_ACCOUNT,
    }
    assert set(bindings) == set(expected)
    for account, ksa in expected.items():
        assert bindings[account]["role"] == "roles/iam.workloadIdentityUser"
        assert bindings[account]["member"] == f"serviceAccount:{project}.svc.id.goog[{ns}/{ksa}]"


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_kubernetes_service_accounts_carry_the_matching_google_account(program, config, stack):
    project = config(stack).gcp.project
    annotations = {
        r.inputs["metadata"]["name"]: r.inputs["metadata"]["annotations"]["iam.gke.io/gcp-service-account"]
        for r in program(stack)
        if r.type == "kubernetes:core/v1:ServiceAccount"
        and ":AgentInjector" not in r.urn  # no Google account
    }
    assert annotations == {
        VAULT_SERVICE_ACCOUNT: f"vault-server@{project}.iam.gserviceaccount.com",
        SNAPSHOT_SERVICE_ACCOUNT: f"vault-snapshot@{project}.iam.gserviceaccount.com",
    }


# The fixed-name resources of the identity, KMS, CI and alerting modules (the network/DNS/GKE ones are
# checked by tests/unit/test_ordering.py).
FIXED_NAME_TYPES = (
    "gcp:serviceaccount/account:Account",
    "gcp:projects/iAMCustomRole:IAMCustomRole",
    "gcp:logging/metric:Metric",
    "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
    "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
    "gcp:kms/keyRing:KeyRing",
    "gcp:kms/cryptoKey:CryptoKey",
    "gcp:storage/bucket:Bucket",
)


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_fixed_names_are_deleted_before_they_are_recreated_or_never_replaced(declared, stack):
    checked = [r for r in declared(stack) if r.type in FIXED_NAME_TYPES]
    assert len(checked) >= 15
    for r in checked:
        # create-before-delete would collide with the old object's name; protected ones are never replaced
        assert r.delete_before_replace or r.protect, f"{r.type} {r.name}"
    assert not [
        r for r in declared(stack) if r.type == "gcp:projects/iAMMember:IAMMember" and r.delete_before_replace
    ]
