"""`vaultctl dr plan`: the runbook's commands with the program's URNs, and the drill's "changes nothing"."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.harness import DeclaredResource
from infra.ops import dr, dr_local

CLOUD = ("staging", "prod")


@pytest.fixture(scope="module")
def layers(declared) -> dict[str, dr.Layers]:
    return {stack: dr.split_layers(stack, declared(stack)) for stack in (*CLOUD, "local")}


def test_engine_urns_leave_out_the_root_stack_and_keep_the_parent_chain(declared):
    urns = dr.engine_urns(declared("prod"), "prod")
    assert "urn:pulumi:prod::vault-platform::vault-platform:vault:Configuration::vault" in urns
    assert "urn:pulumi:prod::vault-platform::pulumi:providers:vault::vault" in urns
    assert not [u for u in urns if "pulumi:pulumi:Stack" in u]
    child = next(u for u, r in urns.items() if r.type == "vault:index/policy:Policy")
    assert child.startswith(
        "urn:pulumi:prod::vault-platform::vault-platform:vault:Configuration$vault:index/"
    )
    assert len(urns) == len(declared("prod"))  # one engine URN per declaration, none collide


@pytest.mark.parametrize("stack", CLOUD)
def test_the_vault_layer_is_the_component_its_children_and_its_provider(declared, layers, stack: str):
    layer = layers[stack]
    urns = dr.engine_urns(declared(stack), stack)
    vault_types = {urns[u].type for u in layer.vault}
    assert "vault-platform:vault:Configuration" in vault_types and "pulumi:providers:vault" in vault_types
    assert all(
        t.startswith(("vault:", "vault-platform:vault:", "pulumi:providers:vault")) for t in vault_types
    )
    assert not {urns[u].type for u in layer.rest} & vault_types
    # The two patterns select exactly the layer (checked against every URN of the program).
    assert layer.select(urns) == set(layer.vault)
    assert len(layer.patterns) == 2


@pytest.mark.parametrize("stack", CLOUD)
def test_excluding_the_vault_layer_cuts_no_dependency(declared, layers, stack: str):
    """`--exclude` of the Vault layer leaves the rest whole: no platform/cluster resource waits for a
    Vault-layer one. The other direction is the order a rebuild needs: the Vault layer waits for the
    cluster and its way in (load balancer, DNS record), which the excluded `up` creates first."""
    resources = declared(stack)
    by_mock = {r.urn: u for u, r in dr.engine_urns(resources, stack).items()}
    vault = set(layers[stack].vault)
    vault_waits_for_rest = False
    for resource in resources:
        mine = by_mock[resource.urn]
        deps = {by_mock[d] for d in resource.dependencies if d in by_mock}
        if mine in vault:
            vault_waits_for_rest |= bool(deps - vault)
        else:
            assert not deps & vault, (mine, deps & vault)
    assert vault_waits_for_rest, "the Vault layer must wait for the cluster it is applied to"


def test_pattern_semantics_match_pulumis():
    assert dr.pattern_matches("urn:pulumi:s::p::a:b:C**", "urn:pulumi:s::p::a:b:C$x:y/z:Z::n")
    assert dr.pattern_matches("urn:pulumi:s::p::a:b:C**", "urn:pulumi:s::p::a:b:C::n")
    assert not dr.pattern_matches("urn:pulumi:s::p::a:b:C*", "urn:pulumi:s::p::a:b:C::n")  # `*` stops at ':'
    assert dr.pattern_matches("urn:pulumi:s::p::a:b:C*::n", "urn:pulumi:s::p::a:b:C$x::n")  # `$x` has no ':'
    assert not dr.pattern_matches("urn:pulumi:s::p::a:b:C**", "urn:pulumi:t::p::a:b:C::n")


@pytest.mark.parametrize("stack", CLOUD)
def test_plan_follows_pulumis_state(capsys, stack: str):
    assert dr.main(["plan", "--stack", stack]) == 0
    out = capsys.readouterr().out
    commands = [line for line in out.splitlines() if line and not line.startswith("#")]
    order = [
        "gh workflow disable deploy.yml",
        f"PULUMI_K8S_DELETE_UNREACHABLE=true pulumi refresh -s {stack} --yes --exclude",
        f"pulumi up -s {stack} --policy-pack policies/pack --exclude",
        # the rebuilt cluster's DNS endpoint is new: a kubeconfig from before points at the lost one
        f"gcloud container clusters get-credentials vault-{stack} --dns-endpoint --location europe-west1 "
        f"--project acme-vault-{stack}",
        "kubectl -n vault get pods",
        f"pulumi stack output -s {stack} ca_certificate > ./vault-ca.pem",
        "kubectl -n vault port-forward pod/vault-0 8200:8200 &",
        "export VAULT_ADDR=https://localhost:8200 VAULT_CACERT=./vault-ca.pem",
        f"vaultctl init --stack {stack}",
        "kill %1 && unset VAULT_ADDR",
        "VAULT_TOKEN=$(cat ./restore-token) vaultctl snapshot restore",
        f"vaultctl verify --stack {stack}",
        f"pulumi refresh -s {stack} --yes --target",
        f"pulumi preview -s {stack} --expect-no-changes --target",
        "gh workflow run drift.yml",
    ]
    positions = [next(i for i, c in enumerate(commands) if c.startswith(prefix)) for prefix in order]
    assert positions == sorted(positions), commands
    component = f"'urn:pulumi:{stack}::vault-platform::vault-platform:vault:Configuration**'"
    assert f"--exclude {component}" in out and f"--target {component}" in out
    # Never the flag that would plan the deletion of every Vault resource the state holds.
    assert "vault.configure" not in "\n".join(commands) and "pulumi destroy" not in out
    # The lost cluster's objects can only leave the state this way (the refresh would fail on them).
    assert sum("PULUMI_K8S_DELETE_UNREACHABLE=true" in c for c in commands) == 1
    init = next(c for c in commands if c.startswith("vaultctl init"))
    assert "--for-restore" in init and "--jwt-pubkey" not in init  # no deployer role to collide
    assert "--expect-peers " + ("5" if stack == "prod" else "3") in out


def test_the_local_drill_runs_the_runbook_steps_in_order(declared, layers):
    from infra.config import parse_stack_config
    from infra.harness import read_stack_config

    keys = [
        s.key for s in dr.plan_steps(parse_stack_config(read_stack_config("prod")), layers["prod"], "prod")
    ]
    drill = list(dr.LOCAL_DRILL_STEPS)
    assert [k for k in keys if k in drill] == drill  # a subsequence, same order


def test_plan_json_lists_the_layer(capsys):
    assert dr.main(["plan", "--stack", "staging", "--json"]) == 0
    import json

    payload = json.loads(capsys.readouterr().out)
    assert payload["stack"] == "staging" and len(payload["vault_layer"]) > 40
    assert payload["steps"][0]["key"] == "stop-writers"


def test_vaultctl_dispatches_dr(capsys):
    from infra.cli import main

    assert main(["dr", "plan", "--stack", "staging"]) == 0
    assert "pulumi refresh -s staging" in capsys.readouterr().out


# ------------------------------------------------------------------ "changes nothing"


def _resource(
    name: str, inputs: dict[str, Any], urn_type: str = "vault:index/policy:Policy"
) -> DeclaredResource:
    return DeclaredResource(
        urn_type,
        name,
        inputs,
        True,
        f"urn:pulumi:local::vault-platform::pulumi:pulumi:Stack${urn_type}::{name}",
        "urn:pulumi:local::vault-platform::pulumi:pulumi:Stack::vault-platform-local",
    )


def test_program_diff_fires_on_changed_added_and_removed_resources():
    a, b = _resource("a", {"policy": "x"}), _resource("b", {"policy": "y"})
    recorded = dr.state_record("local", [a, b])
    assert dr.program_diff(recorded, "local", [a, b]).changes_nothing()
    changed = dr.program_diff(recorded, "local", [a, _resource("b", {"policy": "z"})])
    assert list(changed.changed) == ["urn:pulumi:local::vault-platform::vault:index/policy:Policy::b"]
    gone = dr.program_diff(recorded, "local", [a])
    assert gone.removed and not gone.changes_nothing()
    assert not dr.program_diff({}, "local", []).changes_nothing()  # nothing declared proves nothing


class _Reads:
    """A server that answers reads from a dict (path -> data)."""

    def __init__(self, data: dict[str, dict[str, Any]]) -> None:
        self.data = data
        self.adapter = self

    def get(self, path: str, **_kwargs: Any) -> dict[str, Any] | None:
        if path not in self.data:
            import hvac

            raise hvac.exceptions.InvalidPath()
        return {"data": self.data[path]}


PEM = "-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----"


@pytest.mark.parametrize(
    ("sent", "read"),
    [
        ({"token_ttl": 3600}, {"token_ttl": 3600}),
        ({"token_ttl": 3600.0}, {"token_ttl": "1h"}),
        ({"token_policies": ["b", "a"]}, {"token_policies": ["a", "b"]}),
        ({"bound_audiences": "x,y"}, {"bound_audiences": ["y", "x"]}),
        ({"jwt_validation_pubkeys": [PEM + "\n"]}, {"jwt_validation_pubkeys": [PEM]}),
        ({"metadata": {"service": "s"}}, {"metadata": {"service": "s"}, "other": 1}),
        ({"root_rotation_statements": ["ALTER ..."]}, {"username": "u"}),  # write-only: not compared
        ({"description": ""}, {"description": None}),
    ],
)
def test_a_write_the_server_already_holds_changes_nothing(sent: dict, read: dict):
    assert dr_local.write_differences(_Reads({"/v1/x": read}), "post", "/v1/x", sent) == []


@pytest.mark.parametrize(
    ("sent", "read", "why"),
    [
        ({"token_ttl": 3600}, {"token_ttl": 60}, "token_ttl"),
        ({"token_policies": ["a", "b"]}, {"token_policies": ["a"]}, "token_policies"),
        ({"policy": 'path "a" {}'}, {"policy": 'path "b" {}'}, "policy"),
        ({"metadata": {"service": "s"}}, {"metadata": {"service": "t"}}, "metadata"),
        ({"enabled": True}, {"enabled": False}, "enabled"),
    ],
)
def test_a_write_that_differs_is_a_change(sent: dict, read: dict, why: str):
    found = dr_local.write_differences(_Reads({"/v1/x": read}), "post", "/v1/x", sent)
    assert found and why in found[0]


def test_a_missing_object_and_a_delete_are_changes():
    server = _Reads({"/v1/transit/keys/k": {"deletion_allowed": False}})
    assert dr_local.write_differences(server, "post", "/v1/nothing", {"a": 1}) == [
        "/v1/nothing does not exist yet"
    ]
    assert dr_local.write_differences(server, "delete", "/v1/transit/keys/k", {})
    # settings written to `<object>/config` are read back on the object
    assert (
        dr_local.write_differences(server, "post", "/v1/transit/keys/k/config", {"deletion_allowed": False})
        == []
    )
    assert dr_local.write_differences(server, "post", "/v1/transit/keys/k/config", {"deletion_allowed": True})


def test_report_from_an_appliers_steps():
    """For an applier that reports per-resource steps (same/update/create/refresh/delete)."""
    from types import SimpleNamespace as S

    quiet = dr.report_from_steps([S(urn="a", op="same"), S(urn="b", op="refresh", drift=())])
    assert quiet.changes_nothing() and quiet.unchanged == ["a", "b"]
    loud = dr.report_from_steps(
        [S(urn="a", op="same"), S(urn="b", op="update", drift=()), S(urn="c", op="refresh", drift=("x",))]
    )
    assert set(loud.changed) == {"b", "c"} and loud.changed["c"] == ["refresh", "x"]
    assert not dr.report_from_steps([S(urn="d", op="delete")]).changes_nothing()


# ------------------------------------------------------------------------------- a lost workload project


def _exported_state(stack: str) -> dict:
    """What `pulumi stack export` holds after an apply of the program: engine URNs, inputs as outputs,
    dependencies, providers and parents as the engine records them."""
    from infra.harness import run_program, unwrap

    resources = run_program(stack)
    engine = {r.urn: u for u, r in dr.engine_urns(resources, stack).items()}
    records = []
    for r in resources:
        if r.urn not in engine:
            continue
        inputs = unwrap(dict(r.inputs))
        record = {
            "urn": engine[r.urn],
            "custom": r.custom,
            "type": r.type,
            "inputs": inputs,
            "outputs": inputs,
            "dependencies": sorted(engine[d] for d in r.dependencies if d in engine),
            "propertyDependencies": {
                k: sorted(engine[d] for d in v if d in engine) for k, v in r.property_dependencies.items()
            },
        }
        if r.parent in engine:
            record["parent"] = engine[r.parent]
        if r.provider_urn in engine:
            record["provider"] = f"{engine[r.provider_urn]}::04da6b54-80e4-46f7-96ec-b56ff0331ba9"
        records.append(record)
    return {"version": 3, "deployment": {"manifest": {}, "resources": records}}


@pytest.mark.parametrize("stack", CLOUD)
def test_forget_project_keeps_the_recovery_project_and_the_vault_layer(stack: str):
    cfg, layers = dr.layers_for(stack)
    state = _exported_state(stack)
    out, gone = dr.forget_project(state, cfg.gcp.project, lambda urn: bool(layers.select([urn])))
    kept = {r["urn"]: r for r in out["deployment"]["resources"]}
    # Everything created in the lost project is gone, and so is the cluster's Kubernetes side.
    for r in state["deployment"]["resources"]:
        if r["custom"] and r["inputs"].get("project") == cfg.gcp.project:
            assert r["urn"] not in kept, r["urn"]
    assert not [u for u in kept if "pulumi:providers:kubernetes" in u or "$kubernetes:" in u]
    # The recovery project's resources and the whole Vault layer stay.
    recovery = [r for r in kept.values() if r["inputs"].get("project") == cfg.kms_project()]
    assert {r["type"] for r in recovery} >= {"gcp:kms/keyRing:KeyRing", "gcp:storage/bucket:Bucket"}
    # The unseal key has no `project` of its own and waits for the lost project's APIs: it stays
    # anyway (a KMS key is never deleted; the rebuild must find it, not create a second one).
    assert "gcp:kms/cryptoKey:CryptoKey" in {r["type"] for r in kept.values()}
    # Grants to the lost project's accounts go with them (the rebuild grants the new accounts).
    assert not [r for r in kept.values() if "IAMMember" in r["type"] or "IAMBinding" in r["type"]]
    assert set(layers.vault) <= set(kept)
    # Nothing left refers to a resource that is gone (`pulumi stack import` would refuse that).
    for r in kept.values():
        assert not dr._references(r) & set(gone), r["urn"]
    # The check can fail: the same state with the Vault layer not kept loses it.
    _, without_keep = dr.forget_project(state, cfg.gcp.project, lambda urn: False)
    assert set(layers.vault) & set(without_keep)


@pytest.mark.parametrize("stack", CLOUD)
def test_lost_project_plan_forgets_before_refreshing_and_regrants_before_resuming(capsys, stack: str):
    assert dr.main(["plan", "--stack", stack, "--lost-project"]) == 0
    out = capsys.readouterr().out
    commands = [line for line in out.splitlines() if line and not line.startswith("#")]
    order = [
        f"pulumi stack export -s {stack} --file",
        f"vaultctl dr forget-project --stack {stack}",
        f"pulumi stack import -s {stack} --file",
        f"PULUMI_K8S_DELETE_UNREACHABLE=true pulumi refresh -s {stack}",
        "gcloud container clusters get-credentials",
        "VAULT_TOKEN=$(cat ./restore-token) vaultctl snapshot restore",
        "gcloud storage buckets add-iam-policy-binding gs://<state bucket> --member serviceAccount:ci-deployer@<new",
        'gcloud kms keys add-iam-policy-binding "projects/acme-vault-',
        f"gh variable set GCP_WIF_PROVIDER_{stack.upper()}",
        "gh workflow enable deploy.yml",
    ]
    positions = [next(i for i, c in enumerate(commands) if c.startswith(prefix)) for prefix in order]
    assert positions == sorted(positions), commands
    # After the forget step the commands name the new project, never the lost one.
    assert f"--project acme-vault-{stack} " not in out and f"--project acme-vault-{stack}\n" not in out


def test_forget_project_cli_writes_an_importable_state(tmp_path, capsys):
    state = tmp_path / "before.json"
    state.write_text(json.dumps(_exported_state("prod")))
    assert (
        dr.main(
            [
                "forget-project",
                "--stack",
                "prod",
                "--state",
                str(state),
                "--out",
                str(tmp_path / "after.json"),
            ]
        )
        == 0
    )
    after = json.loads((tmp_path / "after.json").read_text())
    assert "left out" in capsys.readouterr().out
    assert len(after["deployment"]["resources"]) < len(
        json.loads(state.read_text())["deployment"]["resources"]
    )
