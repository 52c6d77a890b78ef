"""The resource diff: matched by URN (or alias), field by field, secrets compared by digest only."""

from __future__ import annotations

from infra.plan.diff import MISSING, diff, flatten
from tests.unit.plan.records import MOUNT, POLICY, rec, snap, urn

STS = "kubernetes:apps/v1:StatefulSet"
K8S_PROVIDER = "pulumi:providers:kubernetes"


def test_flatten_paths_match_the_engines_notation() -> None:
    value = {
        "spec": {"volumeClaimTemplates": [{"spec": {"storage": "10Gi"}}], "replicas": 3},
        "metadata": {"labels": {"app.kubernetes.io/name": "vault"}},
        "tokenPolicies": ["a", "b"],
    }
    assert flatten(value) == {
        'metadata.labels["app.kubernetes.io/name"]': "vault",
        "spec.replicas": 3,
        "spec.volumeClaimTemplates[0].spec.storage": "10Gi",
        "tokenPolicies": ["a", "b"],
    }


def test_added_removed_updated_and_unchanged() -> None:
    old = snap(
        rec(POLICY, "p-same", {"name": "same", "policy": "x"}),
        rec(POLICY, "p-gone", {"name": "gone", "policy": "x"}),
        rec(POLICY, "p-edit", {"name": "edit", "policy": "a\nb\n"}),
    )
    new = snap(
        rec(POLICY, "p-same", {"name": "same", "policy": "x"}),
        rec(POLICY, "p-new", {"name": "new", "policy": "x"}),
        rec(POLICY, "p-edit", {"name": "edit", "policy": "a\nc\n"}),
    )
    changes = diff(old, new)
    assert [(c.action, c.resource.name) for c in changes] == [
        ("update", "p-edit"),
        ("remove", "p-gone"),
        ("add", "p-new"),
    ]  # sorted by URN
    (field,) = changes[0].fields
    assert (field.path, field.old, field.new) == ("policy", "a\nb\n", "a\nc\n")


def test_an_immutable_field_makes_it_a_replacement_and_a_mutable_one_does_not() -> None:
    def sts(storage: str, replicas: int) -> dict:
        return rec(
            STS,
            "vault",
            {"spec": {"replicas": replicas, "volumeClaimTemplates": [{"spec": {"storage": storage}}]}},
            delete_before_replace=True,
        )

    (scale,) = diff(snap(sts("10Gi", 3)), snap(sts("10Gi", 5)))
    assert scale.action == "update" and scale.forced_by == ()
    (grow,) = diff(snap(sts("10Gi", 3)), snap(sts("50Gi", 3)))
    assert grow.action == "replace"
    assert grow.forced_by == ("spec.volumeClaimTemplates[0].spec.storage",)


def test_provider_setting_and_replace_on_changes_option_are_honoured() -> None:
    provider = rec(K8S_PROVIDER, "k8s", {"enableConfigMapMutable": True})
    cm = "kubernetes:core/v1:ConfigMap"

    def config_map(text: str, **opts: object) -> dict:
        return rec(cm, "cfg", {"data": {"vault.hcl": text}}, provider=provider["urn"], **opts)

    # With the provider's enableConfigMapMutable, data changes update in place...
    (mutable,) = diff(snap(provider, config_map("a")), snap(provider, config_map("b")))
    assert mutable.action == "update"
    # ...without it, pulumi-kubernetes replaces the ConfigMap.
    (immutable,) = diff(snap(config_map("a")), snap(config_map("b")))
    assert immutable.action == "replace"
    # The resource's own replace_on_changes forces it too.
    (forced,) = diff(
        snap(provider, config_map("a", replace_on_changes=["data"])),
        snap(provider, config_map("b", replace_on_changes=["data"])),
    )
    assert forced.action == "replace"


def test_a_mount_path_change_remounts_unless_remounting_is_off() -> None:
    def mount(path: str, **inputs: object) -> dict:
        return rec(MOUNT, "kv", {"path": path, "type": "kv-v2", **inputs})

    (remount,) = diff(snap(mount("kv")), snap(mount("secrets")))
    assert remount.action == "update"
    (replace,) = diff(snap(mount("kv", disableRemount=True)), snap(mount("secrets", disableRemount=True)))
    assert replace.action == "replace"
    (type_change,) = diff(snap(mount("kv")), snap(mount("kv", type="kv")))
    assert type_change.action == "replace" and type_change.forced_by == ("type",)


def test_option_changes_are_reported_with_short_names() -> None:
    dep = rec(POLICY, "other", {"name": "other"})
    old = snap(dep, rec(POLICY, "p", {"name": "p"}))
    new = snap(dep, rec(POLICY, "p", {"name": "p"}, protect=True, dependencies=[dep["urn"]]))
    (change,) = diff(old, new)
    assert change.fields == ()
    assert {(o.option, str(o.old), str(o.new)) for o in change.options} == {
        ("protect", "False", "True"),
        ("dependencies", "[]", "['other']"),
    }


def test_an_alias_carries_a_renamed_resource_over() -> None:
    old = snap(rec(POLICY, "old-name", {"name": "p"}))
    new = snap(rec(POLICY, "new-name", {"name": "p"}, aliases=[urn(POLICY, "old-name")]))
    assert diff(old, new) == []


def test_secrets_are_compared_by_digest_and_never_carried_as_values() -> None:
    def conn(digest: str) -> dict:
        return rec(
            "vault:database/secretBackendConnection:SecretBackendConnection",
            "db",
            {"postgresql": "[secret]", "name": "app"},
            secrets={"postgresql": digest},
        )

    assert diff(snap(conn("d1")), snap(conn("d1"))) == []
    (change,) = diff(snap(conn("d1")), snap(conn("d2")))
    (field,) = change.fields
    assert field.secret and field.old == field.new == "[secret]"
    # A new input shows as missing on the old side.
    (added,) = diff(snap(rec(POLICY, "p", {})), snap(rec(POLICY, "p", {"name": "p"}))).pop().fields
    assert added.old is MISSING


def test_a_replaced_resource_replaces_what_takes_its_id_in_an_immutable_input() -> None:
    key = "gcp:kms/cryptoKey:CryptoKey"
    member = "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"
    label = "gcp:storage/bucket:Bucket"

    def world(key_name: str) -> list[dict]:
        key_urn = urn(key, "unseal-key")
        return [
            rec(key, "unseal-key", {"name": key_name, "keyRing": "ring"}),
            # cryptoKeyId comes from the key's id (an Output): stable under mocks, new in a real apply.
            rec(
                member,
                "unseal-key-vault-server",
                {"cryptoKeyId": "unseal-key-id", "role": "r", "member": "m"},
                property_dependencies={"cryptoKeyId": [key_urn]},
            ),
            # A mutable input fed by the key does not make a replacement.
            rec(
                label,
                "bucket",
                {"name": "b", "labels": {"k": "unseal-key-id"}},
                property_dependencies={"labels": [key_urn]},
            ),
        ]

    changes = diff(snap(*world("vault-unseal")), snap(*world("vault-unseal-2")))
    assert [(c.action, c.resource.name, c.forced_by) for c in changes] == [
        ("replace", "unseal-key", ("name",)),
        ("replace", "unseal-key-vault-server", ("cryptoKeyId (from unseal-key, replaced)",)),
    ]


def test_kubernetes_deletes_a_fixed_name_object_before_recreating_it() -> None:
    def sts(name: str | None, storage: str) -> dict:
        meta = {"namespace": "vault", **({"name": name} if name else {})}
        return rec(STS, "vault", {"metadata": meta, "spec": {"volumeClaimTemplates": [{"storage": storage}]}})

    (named,) = diff(snap(sts("vault", "1Gi")), snap(sts("vault", "2Gi")))
    assert named.action == "replace" and named.deletes_first
    (autonamed,) = diff(snap(sts(None, "1Gi")), snap(sts(None, "2Gi")))
    assert autonamed.action == "replace" and not autonamed.deletes_first
