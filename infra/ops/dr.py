"""`vaultctl dr plan --stack NAME`: the disaster-recovery rebuild as Pulumi's model wants it.

The state still holds every resource of the lost environment. So the rebuild never flips
`vault.configure: false` (that would plan the deletion of every Vault resource the state holds);
it splits the stack by URN instead:

1. stop the writers (deploy.yml, drift.yml);
2. `pulumi refresh` of everything but the Vault layer: the state learns what is really gone;
3. `pulumi up` of everything but the Vault layer: platform and cluster rebuilt from code (same KMS
   key: protected, never replaced);
4. `vaultctl init --for-restore`: recovery shares and a root token used only to send the restore (no
   JWT method nor deployer role: the snapshot brings them back, so nothing collides);
5. `vaultctl snapshot restore --force`, into a settled cluster;
6. `vaultctl verify`;
7. `pulumi refresh` of the Vault layer against the restored server, then a preview of it that must
   show no changes (what it lists is what was applied after the snapshot: deploy it through CI);
8. re-enable CI; drift must come back green.

The Vault layer is the `VaultConfiguration` component, its descendants and the `vault` provider. Its
URNs are computed from the program (`run_program`) and given to `--exclude`/`--target` as two URN
patterns, checked here to match exactly that layer under Pulumi's pattern rules (`*` any run of
characters without `:`, `**` anything; pulumi/pulumi pkg/resource/deploy UrnTargets).

`local_drill_steps()` and `ApplyReport` serve the local drill (tests/integration/test_ops_dr.py),
which runs the same steps in the same order against the local environment.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.cluster.layout import STATEFULSET
from infra.config import PROJECT, ConfigError, StackConfig, parse_stack_config
from infra.harness import DeclaredResource, mask, read_stack_config, run_program, stack_name
from infra.platform.gke import cluster_name

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
VAULT_COMPONENT_TYPE = "vault-platform:vault:Configuration"
VAULT_PROVIDER_TYPE = "pulumi:providers:vault"


# ------------------------------------------------------------------------------- URNs as the engine has them


def _qualified_types(resources: list[DeclaredResource]) -> dict[str, str]:
    """Mock URN -> the engine's qualified type (`Parent$Child$Type`, the root stack left out).

    The SDK's mock monitor prefixes top-level types with `pulumi:pulumi:Stack$` and keeps only the
    parent's last type; the engine omits the root stack and keeps the whole chain of ancestors.
    """
    by_urn = {r.urn: r for r in resources}
    qualified: dict[str, str] = {}

    def resolve(resource: DeclaredResource) -> str:
        if resource.urn in qualified:
            return qualified[resource.urn]
        parent = by_urn.get(resource.parent)
        value = resource.type if parent is None else f"{resolve(parent)}${resource.type}"
        qualified[resource.urn] = value
        return value

    for resource in resources:
        resolve(resource)
    return qualified


def engine_urns(resources: list[DeclaredResource], stack: str) -> dict[str, DeclaredResource]:
    """The URN `pulumi` gives each declared resource -> the resource."""
    qualified = _qualified_types(resources)
    return {
        f"urn:pulumi:{stack}::{PROJECT}::{qualified[r.urn]}::{r.name}": r
        for r in resources
        if r.type != ROOT_STACK_TYPE
    }


def pattern_matches(pattern: str, urn: str) -> bool:
    """Pulumi's `--target`/`--exclude` pattern semantics: `**` any text, `*` any text without `:`."""
    parts = [re.escape(p).replace(r"\*", "[^:]*") for p in pattern.split("**")]
    return re.fullmatch(".*".join(parts), urn) is not None


@dataclass(frozen=True)
class Layers:
    stack: str
    vault: tuple[str, ...]  # engine URNs of the Vault layer
    rest: tuple[str, ...]  # everything else the program declares (platform, cluster, their providers)
    patterns: tuple[str, ...]  # what `--exclude`/`--target` get for the Vault layer

    def select(self, urns: Iterable[str]) -> set[str]:
        return {u for u in urns if any(pattern_matches(p, u) for p in self.patterns)}


def split_layers(stack: str, resources: list[DeclaredResource]) -> Layers:
    urns = engine_urns(resources, stack)
    vault = {u for u, r in urns.items() if VAULT_COMPONENT_TYPE in u.split("::")[2].split("$")}
    vault |= {u for u, r in urns.items() if r.type == VAULT_PROVIDER_TYPE}
    component = [u for u in vault if u.split("::")[2] == VAULT_COMPONENT_TYPE]
    if len(component) > 1:
        raise ValueError(f"more than one Vault component: {component}")
    patterns: tuple[str, ...] = ()
    if component:
        prefix = f"urn:pulumi:{stack}::{PROJECT}::{VAULT_COMPONENT_TYPE}"
        patterns = (f"{prefix}**", *sorted(u for u, r in urns.items() if r.type == VAULT_PROVIDER_TYPE))
    layers = Layers(stack, tuple(sorted(vault)), tuple(sorted(set(urns) - vault)), patterns)
    selected = layers.select(urns)
    if selected != vault:
        raise ValueError(
            f"the Vault-layer patterns {patterns} select {len(selected)} resources, the layer has {len(vault)}: "
            f"extra {sorted(selected - vault)[:3]}, missing {sorted(vault - selected)[:3]}"
        )
    return layers


# ------------------------------------------------------------------------------- the runbook, as commands


@dataclass(frozen=True)
class Step:
    key: str  # the same keys name the local drill's steps
    title: str
    commands: tuple[str, ...]
    why: str = ""


def _flags(flag: str, patterns: Iterable[str]) -> str:
    return " ".join(f"{flag} '{p}'" for p in patterns)


DELETE_UNREACHABLE = "PULUMI_K8S_DELETE_UNREACHABLE=true"


def credentials_commands(cfg: StackConfig) -> tuple[str, ...]:
    """kubectl's credentials for the (new) cluster, through its DNS endpoint (the control plane has no
    public IP: infra/platform/gke.py). A rebuilt cluster has a new endpoint, so a kubeconfig written
    before points at the lost one; fetched again after every rebuild."""
    if cfg.gcp is None:
        return ()
    return (
        f"gcloud container clusters get-credentials {cluster_name(cfg)} --dns-endpoint "
        f"--location {cfg.gcp.region} --project {cfg.gcp.project}",
    )


def port_forward_commands(cfg: StackConfig, stack: str) -> tuple[str, ...]:
    """How `vaultctl init` reaches an uninitialized cluster: readiness wants an initialized, unsealed
    node, so no pod is ready, the API Service has no endpoints and vault.address answers nothing. The
    node certificate names localhost (infra/cluster/tls.py), so TLS still verifies against the CA."""
    return (
        f"pulumi stack output -s {stack} ca_certificate > ./vault-ca.pem",
        f"kubectl -n {cfg.cluster.namespace} port-forward pod/{STATEFULSET}-0 8200:8200 &",
        "export VAULT_ADDR=https://localhost:8200 VAULT_CACERT=./vault-ca.pem",
    )


def plan_steps(cfg: StackConfig, layers: Layers, stack: str) -> list[Step]:
    s = f"-s {stack}"
    exclude = _flags("--exclude", layers.patterns)
    target = _flags("--target", layers.patterns)
    bucket = f"gs://{cfg.snapshots.bucket}/{cfg.environment}/" if cfg.snapshots else "SNAPSHOT.snap"
    return [
        Step(
            "stop-writers",
            "Stop the writers",
            ("gh workflow disable deploy.yml", "gh workflow disable drift.yml"),
            "nothing may apply to, or refresh against, a half-rebuilt environment",
        ),
        Step(
            "refresh",
            "Refresh the state, except the Vault layer (its server is gone)",
            # The Kubernetes provider still points at the lost cluster: every read of its objects fails
            # ("unreachable cluster ... rerun with PULUMI_K8S_DELETE_UNREACHABLE=true", pulumi-kubernetes
            # provider.go, Read) unless this variable (the provider's `deleteUnreachable` default,
            # provider/cmd/pulumi-gen-kubernetes/main.go) lets it drop them from the state instead.
            (f"{DELETE_UNREACHABLE} pulumi refresh {s} --yes {exclude}",),
            "the state learns which cloud and cluster resources no longer exist; with the GKE cluster "
            f"gone, {DELETE_UNREACHABLE} drops its objects from the state (protected ones too: the "
            "Namespace and StatefulSet are recreated in the next step); it only acts on an unreachable "
            "cluster, so check that a surviving cluster is reachable first",
        ),
        Step(
            "rebuild",
            "Rebuild platform and cluster from code, the Vault layer left as the state has it",
            (
                f"pulumi up {s} --policy-pack policies/pack {exclude}",
                *credentials_commands(cfg),
                f"kubectl -n {cfg.cluster.namespace} get pods -l app.kubernetes.io/name=vault",
            ),
            "never `vault.configure: false` here: with the Vault resources still in the state it "
            "would plan their deletion",
        ),
        Step(
            "init-for-restore",
            "Initialize for the restore only, through a port-forward to the first pod",
            (
                *port_forward_commands(cfg, stack),
                f"vaultctl init --stack {stack} --keys-dir ./dr-shares "
                "--recovery-pgp-keys holder-1.gpg,holder-2.gpg,holder-3.gpg,holder-4.gpg,holder-5.gpg "
                "--for-restore ./restore-token",
                "kill %1 && unset VAULT_ADDR  # the restore below goes through vault.address again",
            ),
            "no JWT method nor deployer role: the snapshot brings them back, so nothing collides; "
            "an uninitialized pod is never ready, so vault.address has no backend until init",
        ),
        Step(
            "restore",
            "Restore the newest snapshot, forced, once every node is a voter",
            (
                f"VAULT_TOKEN=$(cat ./restore-token) vaultctl snapshot restore {bucket} --force "
                f"--expect-peers {cfg.cluster.nodes}",
                "shred -u ./restore-token && rm -rf ./dr-shares",
            ),
        ),
        Step("verify", "Verify", (f"vaultctl verify --stack {stack}",), "re-run until every row passes"),
        Step(
            "vault-layer",
            "The Vault layer: state follows the restored server, then it shows no changes",
            (
                f"pulumi refresh {s} --yes {target}",
                f"pulumi preview {s} --expect-no-changes {target}",
            ),
            "changes listed here were applied after the snapshot: deploy them through deploy.yml",
        ),
        Step(
            "resume",
            "Resume CI; drift must be green",
            ("gh workflow enable deploy.yml", "gh workflow enable drift.yml", "gh workflow run drift.yml"),
        ),
    ]


# ------------------------------------------------------------------------------- a lost workload project


def _references(resource: Mapping[str, Any]) -> set[str]:
    """The URNs a resource of an exported state (`pulumi stack export`) refers to."""
    found = set(resource.get("dependencies") or ())
    for urns in (resource.get("propertyDependencies") or {}).values():
        found |= set(urns)
    if resource.get("provider"):
        found.add(str(resource["provider"]).rsplit("::", 1)[0])
    if resource.get("parent"):
        found.add(resource["parent"])
    return found


def _own_project(r: Mapping[str, Any]) -> Any:
    return (r.get("inputs") or {}).get("project") or (r.get("outputs") or {}).get("project")


def _goes(r: Mapping[str, Any], gone: set[str], project: str) -> bool:
    """Whether a resource of an exported state goes with the lost `project` (see forget_project)."""
    if r.get("custom") and _own_project(r) == project:
        return True
    provider = str(r.get("provider", "")).rsplit("::", 1)[0]
    if provider in gone or r.get("parent") in gone:
        return True
    kind = str(r.get("type", ""))
    # A grant with no project of its own lives in what it grants on or to: one naming a lost account
    # or resource goes. Other project-less resources (the unseal key in its surviving ring) stay.
    grant = bool(r.get("custom")) and not _own_project(r) and "IAM" in kind.rsplit(":", 1)[-1]
    return (kind.startswith("pulumi:providers:") or grant) and bool(_references(r) & gone)


def forget_project(
    state: Mapping[str, Any], project: str, keep: Callable[[str], bool]
) -> tuple[dict[str, Any], list[str]]:
    """An exported state without the resources of a deleted project (and what lives through them).

    `pulumi state delete` cannot do this: it refuses a resource others depend on, and its
    `--target-dependents` would take the Vault layer along (its provider `depends_on` the cluster)
    and the recovery project's key ring and bucket (they wait for the workload project's APIs), whose
    state must stay. So what goes is: every custom resource whose `project` is the lost one; a
    provider configured from one (the cluster's Kubernetes provider) and every resource it manages;
    an IAM grant with no `project` of its own that refers to a gone one (members for the lost service
    accounts, wherever granted: the rebuild grants the new ones). Everything else stays, its references to gone resources
    dropped: the recovery project's key ring, key, bucket and roles still exist and the rebuild finds
    them again; `keep` (the Vault layer) always stays.
    """
    out = json.loads(json.dumps(state))
    resources = out["deployment"]["resources"]
    gone: set[str] = set()
    changed = True
    while changed:
        changed = False
        for r in resources:
            if r["urn"] not in gone and not keep(r["urn"]) and _goes(r, gone, project):
                gone.add(r["urn"])
                changed = True
    kept = [r for r in resources if r["urn"] not in gone]
    for r in kept:
        broken = {str(r.get("provider", "")).rsplit("::", 1)[0], r.get("parent")} & gone
        if broken:
            raise ValueError(
                f"{r['urn']} keeps its provider or parent {sorted(broken)}, which the lost project took"
            )
        if r.get("dependencies"):
            r["dependencies"] = [u for u in r["dependencies"] if u not in gone]
        if r.get("propertyDependencies"):
            r["propertyDependencies"] = {
                k: [u for u in v if u not in gone] for k, v in r["propertyDependencies"].items()
            }
    out["deployment"]["resources"] = kept
    return out, sorted(gone)


def lost_project_steps(cfg: StackConfig, stack: str) -> tuple[Step, Step]:
    """Before the refresh: the lost project's resources out of the state. After the rebuild: what the
    stack does not hold and a new project invalidates (the CI accounts' grants outside the stack and
    the repository variable naming the new Workload Identity provider)."""
    assert cfg.gcp is not None
    s = f"-s {stack}"
    before, after = f"./{stack}-state-before-lost-project.json", f"./{stack}-state-without-lost-project.json"
    forget = Step(
        "forget-lost-project",
        f"The workload project {cfg.gcp.project} is gone: its resources out of the state",
        (
            f"pulumi stack export {s} --file {before}",
            f"vaultctl dr forget-project --stack {stack} --state {before} --out {after}",
            f"pulumi stack import {s} --file {after}",
            f"# now Pulumi.{stack}.yaml: gcp.project and gcp.project_number of the NEW workload project "
            f"(kms.project, the recovery project, stays {cfg.kms_project()})",
        ),
        "its protected resources (pool, provider, namespace...) would refuse the replacement into a new "
        "project and reading a deleted project fails the refresh, so the state forgets them (the export "
        "keeps a copy); the Vault layer's state and the recovery project's key, bucket and roles stay",
    )
    email = "@<new gcp.project>.iam.gserviceaccount.com"
    key = cfg.gcp.stack_secrets_key or "<gcp.stack_secrets_key>"
    regrant = Step(
        "regrant-ci",
        "Re-grant what the stack does not hold to the new project's CI accounts, before resuming CI",
        (
            "gcloud storage buckets add-iam-policy-binding gs://<state bucket> "
            f"--member serviceAccount:ci-deployer{email} --role roles/storage.objectUser",
            "gcloud storage buckets add-iam-policy-binding gs://<state bucket> "
            f"--member serviceAccount:ci-previewer{email} --role roles/storage.objectViewer",
            f'gcloud kms keys add-iam-policy-binding "{key}" '
            f"--role roles/cloudkms.cryptoKeyEncrypterDecrypter --member serviceAccount:ci-deployer{email}",
            f'gcloud kms keys add-iam-policy-binding "{key}" '
            f"--role roles/cloudkms.cryptoKeyDecrypter --member serviceAccount:ci-previewer{email}",
            f'gh variable set GCP_WIF_PROVIDER_{stack.upper()} --body "$(pulumi stack output {s} '
            'ci_workload_identity_provider)"',
        ),
        "new project, new account emails and project number: until then CI can neither authenticate "
        "nor read the state (docs/bootstrap.md, the first apply)",
    )
    return forget, regrant


def with_lost_project(steps: list[Step], cfg: StackConfig, stack: str) -> list[Step]:
    assert cfg.gcp is not None
    forget, regrant = lost_project_steps(cfg, stack)
    old = f"--project {cfg.gcp.project}"
    out: list[Step] = []
    for step in steps:
        if step.key == "refresh":
            out.append(forget)
        if step.key == "resume":
            out.append(regrant)
        # after `forget`, the stack file names the new project: so do the commands
        commands = tuple(c.replace(old, "--project <new gcp.project>") for c in step.commands)
        out.append(Step(step.key, step.title, commands, step.why))
    return out


def render(steps: list[Step], layers: Layers) -> str:
    lines = [
        f"# Disaster recovery of stack {layers.stack}: {len(layers.rest)} platform/cluster resources, "
        f"{len(layers.vault)} in the Vault layer ({', '.join(layers.patterns) or 'none'})",
    ]
    for number, step in enumerate(steps, 1):
        lines += ["", f"# {number}. {step.title}" + (f"  ({step.why})" if step.why else "")]
        lines += list(step.commands)
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------- the local drill's contract


LOCAL_DRILL_STEPS = ("refresh", "rebuild", "init-for-restore", "restore", "verify", "vault-layer")
"""The runbook steps the local drill performs, in order (no CI to stop or resume locally)."""


@dataclass
class ApplyReport:
    """What a Vault-layer apply did, per declared resource (engine URN).

    "Changes nothing" means: `changed` is empty, every declared resource is in `unchanged`, and no
    resource the state held is missing from the program. The local drill gets it from a diff-only
    apply (every write compared with the restored server instead of sent).
    """

    unchanged: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  # urn -> what differs
    removed: list[str] = field(default_factory=list)

    def changes_nothing(self) -> bool:
        return not self.changed and not self.removed and bool(self.unchanged)

    def summary(self) -> str:
        return (
            f"{len(self.unchanged)} unchanged, {len(self.changed)} changed, {len(self.removed)} removed"
            + "".join(f"\n  ~ {u}: {'; '.join(w)}" for u, w in sorted(self.changed.items()))
            + "".join(f"\n  - {u}" for u in self.removed)
        )


def report_from_steps(steps: Iterable[Any]) -> ApplyReport:
    """An `ApplyReport` from an applier that reports one step per resource (`.urn`, `.op`, `.drift`):
    `same`, and a `refresh` that found no drift, change nothing; `delete` is a removal; anything else
    (create, import, update, a drifted refresh) is a change."""
    report = ApplyReport()
    for step in steps:
        drift = tuple(getattr(step, "drift", ()) or ())
        if step.op == "same" or (step.op == "refresh" and not drift):
            report.unchanged.append(step.urn)
        elif step.op == "delete":
            report.removed.append(step.urn)
        else:
            report.changed[step.urn] = [step.op, *drift]
    return report


def inputs_digest(resource: DeclaredResource) -> str:
    """A stable fingerprint of a resource's inputs (secrets masked): what the state records."""
    return json.dumps(mask(dict(resource.inputs)), sort_keys=True, default=str)


def state_record(stack: str, resources: list[DeclaredResource]) -> dict[str, str]:
    """The local stand-in for Pulumi state: engine URN -> inputs of the last successful apply."""
    return {urn: inputs_digest(r) for urn, r in engine_urns(resources, stack).items()}


def program_diff(state: Mapping[str, str], stack: str, resources: list[DeclaredResource]) -> ApplyReport:
    """What `pulumi up` would plan from inputs alone: declared vs recorded, per URN."""
    now = state_record(stack, resources)
    report = ApplyReport(removed=sorted(set(state) - set(now)))
    for urn, digest in sorted(now.items()):
        if state.get(urn) == digest:
            report.unchanged.append(urn)
        else:
            report.changed[urn] = ["created" if urn not in state else "inputs differ from the state"]
    return report


# ------------------------------------------------------------------------------- CLI


def layers_for(stack: str) -> tuple[StackConfig, Layers]:
    cfg = parse_stack_config(read_stack_config(stack))
    return cfg, split_layers(stack_name(stack), run_program(stack))


def _forget_project(args: argparse.Namespace, cfg: StackConfig, layers: Layers) -> int:
    if cfg.gcp is None:
        raise ValueError(f"stack {layers.stack} has no gcp settings: no workload project to forget")
    state = json.loads(args.state.read_text())
    out, gone = forget_project(state, cfg.gcp.project, lambda urn: bool(layers.select([urn])))
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print(f"{len(gone)} resources of {cfg.gcp.project} (and their dependents) left out; {args.out} written")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vaultctl dr", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("plan", help="print the disaster-recovery command sequence for a stack")
    p.add_argument("--stack", required=True, help="prod, staging or a path to a stack file")
    p.add_argument("--json", action="store_true", help="the steps and the layers as JSON")
    p.add_argument(
        "--lost-project",
        action="store_true",
        help="the workload project (gcp.project) is gone: rebuild into a new one, the recovery project kept",
    )
    f = sub.add_parser(
        "forget-project",
        help="an exported state without the lost workload project's resources (dr plan --lost-project)",
    )
    f.add_argument("--stack", required=True, help="the stack, its file still naming the lost gcp.project")
    f.add_argument("--state", required=True, type=Path, help="`pulumi stack export --file` output")
    f.add_argument(
        "--out", required=True, type=Path, help="where to write the state to `pulumi stack import`"
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        cfg, layers = layers_for(args.stack)
        if args.command == "forget-project":
            return _forget_project(args, cfg, layers)
        steps = plan_steps(cfg, layers, stack_name(args.stack))
        if args.lost_project:
            if cfg.gcp is None:
                raise ValueError(f"stack {layers.stack} has no gcp settings: no workload project to lose")
            steps = with_lost_project(steps, cfg, stack_name(args.stack))
    except (ConfigError, FileNotFoundError, ValueError) as err:
        print(f"vaultctl dr: {err}", file=sys.stderr)
        return 2
    if args.json:
        payload: dict[str, Any] = {
            "stack": layers.stack,
            "vault_layer": list(layers.vault),
            "patterns": list(layers.patterns),
            "steps": [step.__dict__ | {"commands": list(step.commands)} for step in steps],
        }
        print(json.dumps(payload, indent=2, sort_keys=True))
    else:
        sys.stdout.write(render(steps, layers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
