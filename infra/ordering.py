"""Ordering as the cloud sees it: the prerequisites a real `pulumi up` needs that mocks never enforce.

Under mocks every resource "exists" the moment it is declared, so a grant to a service account that is
created later, or a Workload Identity binding to a pool that appears only with the GKE cluster, passes
every test and fails the first real apply ("Identity Pool does not exist", "Service account ... does
not exist"). The engine orders creation only by what a registration waits for: its explicit
`depends_on`, the resources behind the Outputs among its inputs, and its provider. The harness records
all three (`DeclaredResource.dependencies`, `.property_dependencies`, `.provider`); the rules below
check them, as data:

- `Identifier`: how a declared resource is named by others (a service account's email, a cluster's
  Workload Identity pool, a bucket's name). Any input of any resource that names one must take it from
  that resource's output, so the value and the ordering follow the resource (rule ids `ORD-SA`,
  `ORD-WI`, ...). A reference of that shape to something the stack does not declare is reported too.
- `TypedRef`: an input that identifies another resource by an opaque id (`cryptoKeyId`, `cluster`)
  must come from a declared resource of the expected type.
- `WaitsFor`: everything of one kind waits, directly or transitively, for every resource of another
  kind (Kubernetes objects for the cluster and its node pool, the Vault layer for the server).
- Every IAM-ish type the stack declares must be covered by a rule or listed in `NO_PREREQUISITES`
  with a reason (`ORD-UNRULED`), so a new grant type cannot slip past unchecked.

`findings(resources)` returns what `vaultctl plan` prints and the unit tests assert to be empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from infra.harness import DeclaredResource, unwrap

ACCOUNT = "gcp:serviceaccount/account:Account"
CLUSTER = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
BUCKET = "gcp:storage/bucket:Bucket"
CUSTOM_ROLE = "gcp:projects/iAMCustomRole:IAMCustomRole"
CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey"
KEY_RING = "gcp:kms/keyRing:KeyRing"
NETWORK = "gcp:compute/network:Network"
SUBNETWORK = "gcp:compute/subnetwork:Subnetwork"
WI_POOL = "gcp:iam/workloadIdentityPool:WorkloadIdentityPool"
WI_POOL_PROVIDER = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider"
STATEFULSET = "kubernetes:apps/v1:StatefulSet"

# Any IAM grant of the Google provider: `gcp:<module>/<x>IAM{Member,Binding,Policy}:<X>IAM...`.
IAM_GRANT = r"^gcp:[a-zA-Z0-9]+/[a-zA-Z]*(?:iAM|IAM)(?:Member|Binding|Policy):"
# Type tokens that decide who may do what: each must be covered by a rule (or listed below).
IAM_ISH = re.compile(r"(?i)iam|serviceaccount|workloadidentity|rolebinding")


@dataclass(frozen=True)
class Finding:
    rule_id: str
    type: str
    name: str
    message: str

    def __str__(self) -> str:
        return f"{self.type} {self.name}: {self.rule_id}: {self.message}"


@dataclass(frozen=True)
class Identifier:
    """How resources of `target` are named by others, and why naming one must wait for it."""

    rule_id: str
    target: str
    # Substrings that name the resource, from its own inputs (e.g. its email).
    tokens: Callable[[Mapping[str, Any]], list[str]]
    why: str
    # Whole values that name it (names that are only unambiguous as a whole string).
    exact: Callable[[Mapping[str, Any]], list[str]] = lambda _inputs: []
    # A reference of this kind to something the stack does not declare; `own(match, projects)` says
    # whether it points into this stack's projects (then the stack should declare it).
    dangling: re.Pattern[str] | None = None
    own: Callable[[re.Match[str], set[str]], bool] = lambda _match, _projects: True


@dataclass(frozen=True)
class TypedRef:
    """`on`'s input `prop` identifies a resource of type `target` by an opaque id: it must come from
    a declared one's output. `target=None`: the referenced thing is never declared by this stack (the
    project itself), recorded so the type counts as reviewed."""

    rule_id: str
    on: str
    prop: str
    target: str | None
    why: str
    # For a plain value: whether it names this declared target. None: any plain value is suspect while
    # the stack declares a target (ids the mocks cannot reproduce); given: only a value naming one of
    # the declared targets is (a grant on a key outside the stack is fine).
    names: Callable[[str, Mapping[str, Any]], bool] | None = None


@dataclass(frozen=True)
class WaitsFor:
    """Every resource whose type matches `on` waits (directly, through an Output or its provider) for
    every declared resource whose type matches `target`. `required`: the stack must declare one."""

    rule_id: str
    on: str
    target: str
    required: bool
    why: str


def _get(inputs: Mapping[str, Any], *path: str) -> Any:
    value: Any = inputs
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _account_emails(i: Mapping[str, Any]) -> list[str]:
    if i.get("accountId") and i.get("project"):
        return [f"{i['accountId']}@{i['project']}.iam.gserviceaccount.com"]
    return []


def _pool(i: Mapping[str, Any]) -> list[str]:
    pool = _get(i, "workloadIdentityConfig", "workloadPool")
    # `POOL[namespace/ksa]` is how a Kubernetes service account is named as a Google principal.
    return [f"{pool}["] if pool else []


IDENTIFIERS: tuple[Identifier, ...] = (
    Identifier(
        "ORD-SA",
        ACCOUNT,
        _account_emails,
        "a grant naming a service account fails until the account exists; take the email from the "
        "account's output (accountId/email) so the grant waits for it",
        dangling=re.compile(
            r"serviceAccount:[a-z][a-z0-9-]{4,28}[a-z0-9]@([a-z][a-z0-9-]+)\.iam\.gserviceaccount\.com"
        ),
        # Accounts of other projects (Google's service agents, a shared CI project) are not ours to order.
        own=lambda match, projects: match.group(1) in projects,
    ),
    Identifier(
        "ORD-WI",
        CLUSTER,
        _pool,
        "the Workload Identity pool PROJECT.svc.id.goog exists only once a GKE cluster with Workload "
        "Identity does ('Identity Pool does not exist' on a fresh project); take the pool from the "
        "cluster's workloadIdentityConfig output",
        # Any pool: without a declared cluster nothing orders the binding after the pool exists.
        dangling=re.compile(r"[a-z][a-z0-9-]+\.svc\.id\.goog\["),
    ),
    Identifier(
        "ORD-BUCKET",
        BUCKET,
        lambda i: [f"gs://{i['name']}/", f"gs://{i['name']}"] if i.get("name") else [],
        "naming the bucket before it exists (IAM on it, a job writing to it) races its creation; take "
        "the name from the bucket's output",
        exact=lambda i: [i["name"]] if i.get("name") else [],
    ),
    Identifier(
        "ORD-ROLE",
        CUSTOM_ROLE,
        lambda i: [f"projects/{i['project']}/roles/{i['roleId']}"] if i.get("roleId") else [],
        "a grant of a custom role fails until the role exists; take its name from the role's output",
    ),
    Identifier(
        "ORD-POOL",
        WI_POOL,
        lambda i: (
            [f"/workloadIdentityPools/{i['workloadIdentityPoolId']}/"]
            if i.get("workloadIdentityPoolId")
            else []
        ),
        "a principal of a Workload Identity pool can be granted only once the pool exists",
    ),
)

_KMS_GRANT = r"^gcp:kms/cryptoKeyIAM(Member|Binding|Policy):"
TYPED_REFS: tuple[TypedRef, ...] = (
    # The resource every IAM grant is attached to, per grant family. A grant type of a family not
    # listed here is reported by ORD-UNRULED until someone says what it attaches to.
    TypedRef(
        "ORD-IAM-TARGET",
        _KMS_GRANT,
        "cryptoKeyId",
        CRYPTO_KEY,
        "a key grant needs the key",
        names=lambda value, key: value.endswith(f"/cryptoKeys/{key.get('name')}"),
    ),
    TypedRef(
        "ORD-IAM-TARGET",
        r"^gcp:kms/keyRingIAM(Member|Binding|Policy):",
        "keyRingId",
        KEY_RING,
        "a key ring grant needs the ring",
    ),
    TypedRef(
        "ORD-IAM-TARGET",
        r"^gcp:storage/bucketIAM(Member|Binding|Policy):",
        "bucket",
        BUCKET,
        "a bucket grant needs the bucket",
    ),
    TypedRef(
        "ORD-IAM-TARGET",
        r"^gcp:serviceaccount/iAM(Member|Binding|Policy):",
        "serviceAccountId",
        ACCOUNT,
        "a grant on a service account needs the account",
    ),
    TypedRef(
        "ORD-IAM-TARGET",
        r"^gcp:projects/iAM(Member|Binding|Policy):",
        "project",
        None,
        "the project exists before any stack (bootstrap)",
    ),
    TypedRef("ORD-REF", r"^gcp:kms/cryptoKey:CryptoKey$", "keyRing", KEY_RING, "a key lives in its ring"),
    TypedRef("ORD-REF", rf"^{re.escape(NODE_POOL)}$", "cluster", CLUSTER, "a node pool joins its cluster"),
    TypedRef("ORD-REF", r"^gcp:compute/(subnetwork|router):", "network", NETWORK, "lives in the VPC"),
    TypedRef("ORD-REF", rf"^{re.escape(CLUSTER)}$", "network", NETWORK, "the cluster lives in the VPC"),
    TypedRef("ORD-REF", rf"^{re.escape(CLUSTER)}$", "subnetwork", SUBNETWORK, "nodes use the subnet"),
    TypedRef(
        "ORD-REF",
        rf"^{re.escape(WI_POOL_PROVIDER)}$",
        "workloadIdentityPoolId",
        WI_POOL,
        "a provider lives in its pool",
    ),
)

WAITS_FOR: tuple[WaitsFor, ...] = (
    WaitsFor(
        "ORD-K8S",
        r"^(kubernetes:|pulumi:providers:kubernetes$)",
        rf"^({re.escape(CLUSTER)}|{re.escape(NODE_POOL)})$",
        required=True,
        why="a Kubernetes object can be applied only once the cluster answers, and pods schedule only "
        "on the node pool (the default pool is removed); wire it through the provider",
    ),
    WaitsFor(
        "ORD-VAULT",
        r"^(vault:|pulumi:providers:vault$)",
        rf"^({re.escape(CLUSTER)}|{re.escape(STATEFULSET)})$",
        # The local stack's cluster is OpenBao processes outside the program: nothing to wait for.
        required=False,
        why="the Vault layer talks to the server the cluster layer runs; with vault.configure on a "
        "new stack its provider must wait for the StatefulSet (and `vaultctl init`)",
    ),
)

# IAM-ish types that need no other declared resource first, and why.
NO_PREREQUISITES: Mapping[str, str] = {
    ACCOUNT: "creating an account needs only the IAM API (enabled by apis.py, an explicit dependency)",
    CUSTOM_ROLE: "a role definition names no principal and no resource",
    WI_POOL: "a pool needs only the IAM API",
}


# ---------------------------------------------------------------------------------------------- engine


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


class Graph:
    """The declarations with their ordering edges: dependencies plus the provider."""

    def __init__(self, resources: Sequence[DeclaredResource]) -> None:
        self.resources = list(resources)
        self.by_urn = {r.urn: r for r in self.resources if r.urn}

    def edges(self, resource: DeclaredResource) -> set[str]:
        found = set(resource.dependencies)
        if resource.provider_urn:
            found.add(resource.provider_urn)
        return found

    @cached_property
    def _closure(self) -> dict[str, frozenset[str]]:
        memo: dict[str, frozenset[str]] = {}

        def visit(urn: str, stack: frozenset[str]) -> frozenset[str]:
            if urn in memo:
                return memo[urn]
            resource = self.by_urn.get(urn)
            if resource is None or urn in stack:
                return frozenset()
            reached: set[str] = set()
            for dep in self.edges(resource):
                reached.add(dep)
                reached |= visit(dep, stack | {urn})
            memo[urn] = frozenset(reached)
            return memo[urn]

        for urn in self.by_urn:
            visit(urn, frozenset())
        return memo

    def waits_for(self, resource: DeclaredResource) -> frozenset[str]:
        """Every URN `resource` transitively waits for."""
        return self._closure.get(resource.urn, frozenset())

    def of_type(self, pattern: str) -> list[DeclaredResource]:
        rx = re.compile(pattern)
        return [r for r in self.resources if r.custom and rx.search(r.type)]


def _label(r: DeclaredResource) -> str:
    return f"{r.type} {r.name}"


def _check_identifiers(graph: Graph) -> list[Finding]:
    found: list[Finding] = []
    projects = {
        str(unwrap(r.inputs.get("project")))
        for r in graph.resources
        if r.type.startswith("gcp:") and r.inputs.get("project")
    }
    for ident in IDENTIFIERS:
        targets: list[_Target] = []
        for t in graph.of_type(rf"^{re.escape(ident.target)}$"):
            inputs = unwrap(dict(t.inputs))
            targets.append((t, ident.tokens(inputs), ident.exact(inputs)))
        declared_tokens = [tok for _t, tokens, _e in targets for tok in tokens]
        for resource in graph.resources:
            if not resource.custom:
                continue
            for prop, value in unwrap(dict(resource.inputs)).items():
                texts = list(_strings(value))
                found += _copied_names(ident, resource, prop, texts, targets)
                found += _dangling_names(ident, resource, prop, texts, declared_tokens, projects)
    return found


# A declared target of an identifier rule: the resource, the tokens naming it, its exact names.
_Target = tuple[DeclaredResource, list[str], list[str]]


def _copied_names(
    ident: Identifier, resource: DeclaredResource, prop: str, texts: list[str], targets: list[_Target]
) -> list[Finding]:
    """The input names a declared target but is not taken from its output (no ordering edge)."""
    deps = set(resource.property_dependencies.get(prop, ()))
    return [
        Finding(
            ident.rule_id,
            resource.type,
            resource.name,
            f"input {prop!r} names {_label(target)} but does not take it from its output: {ident.why}",
        )
        for target, tokens, exact in targets
        if target.urn != resource.urn
        and target.urn not in deps
        and (any(tok in text for text in texts for tok in tokens) or any(text in exact for text in texts))
    ]


def _dangling_names(
    ident: Identifier,
    resource: DeclaredResource,
    prop: str,
    texts: list[str],
    declared_tokens: list[str],
    projects: set[str],
) -> list[Finding]:
    """The input names one of the stack's own objects of the target's kind that nothing declares."""
    if ident.dangling is None:
        return []
    return [
        Finding(
            ident.rule_id,
            resource.type,
            resource.name,
            f"input {prop!r} names {match.group(0).rstrip('[')!r}, which no "
            f"declared {ident.target} provides: {ident.why}",
        )
        for text in texts
        for match in ident.dangling.finditer(text)
        if not any(tok in match.group(0) for tok in declared_tokens) and ident.own(match, projects)
    ]


def _check_typed_refs(graph: Graph) -> list[Finding]:
    found: list[Finding] = []
    for ref in TYPED_REFS:
        if ref.target is None:
            continue
        declared = graph.of_type(rf"^{re.escape(ref.target)}$")
        targets = {t.urn for t in declared}
        for resource in graph.of_type(ref.on):
            value = unwrap(resource.inputs.get(ref.prop))
            if value in (None, ""):
                continue
            deps = set(resource.property_dependencies.get(ref.prop, ()))
            named = ref.names is None or any(ref.names(str(value), unwrap(dict(t.inputs))) for t in declared)
            if targets and not deps & targets and named:
                where = "it is a plain value"
                found.append(
                    Finding(
                        ref.rule_id,
                        resource.type,
                        resource.name,
                        f"input {ref.prop!r} must come from a declared {ref.target}'s output ({where}): "
                        f"{ref.why}",
                    )
                )
    return found


def _check_waits(graph: Graph) -> list[Finding]:
    found: list[Finding] = []
    for rule in WAITS_FOR:
        targets = graph.of_type(rule.target)
        subjects = graph.of_type(rule.on)
        if not targets:
            if rule.required:
                found += [
                    Finding(
                        rule.rule_id,
                        r.type,
                        r.name,
                        f"the stack declares no resource of type {rule.target}: {rule.why}",
                    )
                    for r in subjects
                ]
            continue
        missing = {r.urn: [t for t in targets if t.urn not in graph.waits_for(r)] for r in subjects}
        for resource in subjects:
            lacking = missing[resource.urn]
            # Report where the gap starts: a resource whose provider (or another dependency) already
            # lacks the same prerequisites is fixed by fixing that one.
            inherited = any(
                missing.get(dep) and {t.urn for t in missing[dep]} >= {t.urn for t in lacking}
                for dep in graph.edges(resource)
            )
            if lacking and not inherited:
                found.append(
                    Finding(
                        rule.rule_id,
                        resource.type,
                        resource.name,
                        f"does not wait for {', '.join(_label(t) for t in lacking)}: {rule.why}",
                    )
                )
    return found


def covered(type_token: str) -> bool:
    """Whether some rule (or the NO_PREREQUISITES list) says what a type must wait for."""
    if type_token in NO_PREREQUISITES:
        return True
    patterns = [r.on for r in TYPED_REFS] + [w.on for w in WAITS_FOR]
    return any(re.search(p, type_token) for p in patterns)


def _check_coverage(graph: Graph) -> list[Finding]:
    return [
        Finding(
            "ORD-UNRULED",
            t,
            "",
            "an IAM-ish type no ordering rule covers: add a TypedRef/WaitsFor row in infra/ordering.py "
            "(what it attaches to and whom it names) or list it in NO_PREREQUISITES with a reason",
        )
        for t in sorted({r.type for r in graph.resources if r.custom})
        if IAM_ISH.search(t) and not covered(t)
    ]


def findings(resources: Iterable[DeclaredResource]) -> list[Finding]:
    """Every ordering violation among a run's declarations (empty when a real apply can order them)."""
    graph = Graph(list(resources))
    result = (
        _check_coverage(graph) + _check_identifiers(graph) + _check_typed_refs(graph) + _check_waits(graph)
    )
    unique: dict[tuple[str, str, str, str], Finding] = {}
    for f in result:
        unique.setdefault((f.rule_id, f.type, f.name, f.message), f)
    return sorted(unique.values(), key=lambda f: (f.rule_id, f.type, f.name, f.message))
