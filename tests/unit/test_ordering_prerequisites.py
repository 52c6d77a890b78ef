"""Ordering as the cloud sees it: every stack declares what a real `pulumi up` must create first.

The stack tests run the real program; each rule also has a tiny program showing it fire on the defect
(the way the program was written before: emails and pools as config strings) and stay quiet on the fix.
"""

from __future__ import annotations

from collections.abc import Callable

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s
import pulumi_vault as vault
import pytest

from infra import ordering
from infra.harness import DeclaredResource, run_program
from tests.unit.gke_fixtures import _hook

STACKS = ("prod", "staging", "local")
PROJECT = "p-ordering"
EMAIL = f"svc-account@{PROJECT}.iam.gserviceaccount.com"


@pytest.fixture(scope="module")
def stack_runs() -> dict[str, list[DeclaredResource]]:
    return {stack: run_program(stack, hook=_hook) for stack in STACKS}


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_can_be_applied_in_order(stack_runs, stack):
    found = ordering.findings(stack_runs[stack])
    assert not found, "\n".join(map(str, found))


@pytest.mark.parametrize("stack", STACKS)
def test_every_iam_ish_type_of_a_stack_has_a_rule(stack_runs, stack):
    types = {r.type for r in stack_runs[stack] if r.custom and ordering.IAM_ISH.search(r.type)}
    if stack != "local":  # the GCP stacks declare IAM; the local one has none to check
        assert {"gcp:projects/iAMMember:IAMMember", "gcp:serviceaccount/iAMBinding:IAMBinding"} <= types
    assert [t for t in types if not ordering.covered(t)] == []


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_the_rules_see_the_prerequisites_they_are_about(stack_runs, stack):
    # Quiet must mean "checked and fine", not "nothing matched": each rule has subjects and targets.
    graph = ordering.Graph(stack_runs[stack])
    for rule in ordering.WAITS_FOR:
        assert graph.of_type(rule.on) and graph.of_type(rule.target), rule.rule_id
    wi = [r for r in graph.of_type(ordering.IAM_GRANT) if ".svc.id.goog[" in str(r.inputs.get("member"))]
    [cluster] = graph.of_type(ordering.CLUSTER)
    assert wi and all(cluster.urn in r.property_dependencies["member"] for r in wi)
    accounts = {a.urn for a in graph.of_type(ordering.ACCOUNT)}
    sa_members = [
        r
        for r in graph.of_type(ordering.IAM_GRANT)
        if str(r.inputs.get("member", "")).endswith(".iam.gserviceaccount.com")
    ]
    assert sa_members and all(set(r.property_dependencies["member"]) & accounts for r in sa_members)


def _run(program: Callable[[], None]) -> list[ordering.Finding]:
    return ordering.findings(run_program("local", program=program))


def _ids(found: list[ordering.Finding]) -> set[tuple[str, str]]:
    return {(f.rule_id, f.name) for f in found}


def _account() -> gcp.serviceaccount.Account:
    return gcp.serviceaccount.Account("sa", project=PROJECT, account_id="svc-account")


def _from_output(account: gcp.serviceaccount.Account) -> pulumi.Output[str]:
    return pulumi.Output.all(account.account_id, account.project).apply(
        lambda a: f"serviceAccount:{a[0]}@{a[1]}.iam.gserviceaccount.com"
    )


def test_a_grant_naming_an_account_by_string_fires_and_from_its_output_is_quiet():
    def by_string() -> None:
        _account()
        gcp.projects.IAMMember(
            "grant", project=PROJECT, role="roles/viewer", member=f"serviceAccount:{EMAIL}"
        )

    def by_output() -> None:
        gcp.projects.IAMMember("grant", project=PROJECT, role="roles/viewer", member=_from_output(_account()))

    def undeclared() -> None:
        _account()
        other = f"serviceAccount:typo-account@{PROJECT}.iam.gserviceaccount.com"
        gcp.projects.IAMMember("grant", project=PROJECT, role="roles/viewer", member=other)

    assert ("ORD-SA", "grant") in _ids(_run(by_string))
    assert _run(by_output) == []
    # An account of the stack's own project that nothing declares: a typo, or created out of band.
    assert ("ORD-SA", "grant") in _ids(_run(undeclared))


def test_a_workload_identity_binding_must_come_from_the_cluster():
    pool = f"{PROJECT}.svc.id.goog"

    def cluster() -> gcp.container.Cluster:
        return gcp.container.Cluster(
            "gke",
            project=PROJECT,
            location="europe-west1",
            initial_node_count=1,
            workload_identity_config=gcp.container.ClusterWorkloadIdentityConfigArgs(workload_pool=pool),
        )

    def binding(member: pulumi.Input[str], account: gcp.serviceaccount.Account) -> None:
        gcp.serviceaccount.IAMMember(
            "wi", service_account_id=account.name, role="roles/iam.workloadIdentityUser", member=member
        )

    def no_cluster() -> None:
        binding(f"serviceAccount:{pool}[vault/vault]", _account())

    def string_pool() -> None:
        cluster()
        binding(f"serviceAccount:{pool}[vault/vault]", _account())

    def from_cluster() -> None:
        member = cluster().workload_identity_config.apply(
            lambda c: f"serviceAccount:{c.workload_pool}[vault/vault]"
        )
        binding(member, _account())

    assert ("ORD-WI", "wi") in _ids(_run(no_cluster))
    assert ("ORD-WI", "wi") in _ids(_run(string_pool))
    assert _run(from_cluster) == []


def test_kubernetes_objects_wait_for_the_cluster_and_its_node_pool():
    def cluster_and_pool() -> tuple[gcp.container.Cluster, gcp.container.NodePool]:
        c = gcp.container.Cluster(
            "gke", project=PROJECT, name="gke", location="europe-west1", initial_node_count=1
        )
        return c, gcp.container.NodePool("pool", project=PROJECT, location="europe-west1", cluster=c.name)

    # (Under mocks an Output that resolves to None carries no dependency: the cluster has a name here so
    # `c.name` is a real value, as the program's kubeconfig is.)
    def namespace(provider: k8s.Provider) -> None:
        k8s.core.v1.Namespace("ns", opts=pulumi.ResourceOptions(provider=provider))

    def without_pool() -> None:
        c, _pool = cluster_and_pool()
        namespace(k8s.Provider("k", kubeconfig=c.name))

    def with_pool() -> None:
        c, pool = cluster_and_pool()
        namespace(k8s.Provider("k", kubeconfig=c.name, opts=pulumi.ResourceOptions(depends_on=[pool])))

    def no_cluster_at_all() -> None:
        namespace(k8s.Provider("k", kubeconfig="{}"))

    # The provider is where the gap starts; the namespace inherits it and is not reported twice.
    assert _ids(_run(without_pool)) == {("ORD-K8S", "k")}
    assert _run(with_pool) == []
    assert ("ORD-K8S", "k") in _ids(_run(no_cluster_at_all))


def test_the_vault_layer_waits_for_the_server():
    def server() -> k8s.apps.v1.StatefulSet:
        c = gcp.container.Cluster(
            "gke", project=PROJECT, name="gke", location="europe-west1", initial_node_count=1
        )
        pool = gcp.container.NodePool("pool", project=PROJECT, location="europe-west1", cluster=c.name)
        provider = k8s.Provider("k", kubeconfig=c.name, opts=pulumi.ResourceOptions(depends_on=[pool]))
        spec = {"selector": {"matchLabels": {"a": "b"}}, "serviceName": "s", "template": {}}
        return k8s.apps.v1.StatefulSet("sts", spec=spec, opts=pulumi.ResourceOptions(provider=provider))

    def policy(opts: pulumi.ResourceOptions) -> None:
        provider = vault.Provider("v", address="https://vault:8200", skip_child_token=True, opts=opts)
        vault.Policy("pol", name="pol", policy="", opts=pulumi.ResourceOptions(provider=provider))

    def unordered() -> None:
        server()
        policy(pulumi.ResourceOptions())

    def ordered() -> None:
        policy(pulumi.ResourceOptions(depends_on=[server()]))

    def external_cluster() -> None:  # the local stack: no cluster in the program, nothing to wait for
        policy(pulumi.ResourceOptions())

    assert _ids(_run(unordered)) == {("ORD-VAULT", "v")}
    assert _run(ordered) == []
    assert _run(external_cluster) == []


def test_an_opaque_reference_must_come_from_the_declared_resource():
    def grant(key_id: Callable[[gcp.kms.CryptoKey], pulumi.Input[str]]) -> None:
        account = _account()
        ring = gcp.kms.KeyRing("ring", project=PROJECT, name="ring", location="europe-west1")
        key = gcp.kms.CryptoKey("key", name="key", key_ring=ring.id)
        gcp.kms.CryptoKeyIAMMember(
            "grant", crypto_key_id=key_id(key), role="roles/cloudkms.viewer", member=_from_output(account)
        )

    assert ("ORD-IAM-TARGET", "grant") in _ids(
        _run(
            lambda: grant(
                lambda _k: f"projects/{PROJECT}/locations/europe-west1/keyRings/ring/cryptoKeys/key"
            )
        )
    )
    assert _run(lambda: grant(lambda k: k.id)) == []


def test_a_job_naming_the_bucket_takes_it_from_the_bucket():
    def job(uses_output: bool) -> None:
        bucket = gcp.storage.Bucket("b", project=PROJECT, name="p-ordering-snapshots", location="EU")
        target = (
            bucket.name.apply(lambda n: f"gs://{n}/x/") if uses_output else "gs://p-ordering-snapshots/x/"
        )
        gcp.container.Cluster(
            "gke", project=PROJECT, name="gke", location="europe-west1", initial_node_count=1
        )
        pulumi.Output.from_input(target).apply(lambda _t: None)
        k8s.core.v1.ConfigMap("cm", data={"target": target}, opts=pulumi.ResourceOptions(depends_on=[bucket]))

    fired = _ids(_run(lambda: job(False)))
    assert ("ORD-BUCKET", "cm") in fired  # an explicit depends_on is not enough: the name is a copy
    assert ("ORD-BUCKET", "cm") not in _ids(_run(lambda: job(True)))


@pytest.mark.parametrize(
    "declare",
    [
        # An IAM type nobody wrote an ordering rule for: the check must fail until someone does.
        lambda: gcp.projects.IAMAuditConfig(
            "audit",
            project=PROJECT,
            service="allServices",
            audit_log_configs=[gcp.projects.IAMAuditConfigAuditLogConfigArgs(log_type="DATA_READ")],
        ),
        # A grant family whose target field no row names yet.
        lambda: gcp.pubsub.TopicIAMMember(
            "topic-grant", topic="t", role="roles/pubsub.publisher", member=f"serviceAccount:{EMAIL}"
        ),
    ],
    ids=["iam-audit-config", "pubsub-topic-grant"],
)
def test_a_new_iam_type_without_a_rule_fails(declare):
    found = _run(declare)
    assert any(f.rule_id == "ORD-UNRULED" for f in found), found


def test_rules_are_data_with_reasons():
    for table in (ordering.IDENTIFIERS, ordering.TYPED_REFS, ordering.WAITS_FOR):
        for row in table:
            assert row.rule_id.startswith("ORD-") and len(row.why) > 10
    assert all(len(reason) > 20 for reason in ordering.NO_PREREQUISITES.values())
