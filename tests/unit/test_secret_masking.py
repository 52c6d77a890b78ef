"""Secret handling at the edges of a program run: the harness's `is_secret`/`unwrap`/`mask` and the plan
record (`infra.plan.emit`), which must never carry a secret in clear but must tell when one changed.

Direct tests of the pure functions (the whole-program checks are tests/unit/plan/test_secrets.py): a
secret is the SDK's wrapper `{SECRET_SIG: <marker>, "value": ...}`, and it may sit anywhere in an input,
inside lists and maps, or wrap a map that holds another secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from types import MappingProxyType, SimpleNamespace

import pytest

from infra.harness import SECRET_PLACEHOLDER, SECRET_SIG, is_secret, mask, unwrap
from infra.plan import emit

MARKER = "1b47061264138c4ac30d75fd1eb44270"  # pragma: allowlist secret (the SDK's marker, public)
PROVIDER = "urn:pulumi:local::vault-platform::pulumi:providers:vault::vault"
KEY = b"k" * 32


def secret(value: object) -> dict[str, object]:
    return {SECRET_SIG: MARKER, "value": value}


# A resource's inputs with secrets at every depth the SDK produces.
INPUTS = {
    "name": "db",
    "password": secret("pw-1"),
    "connection": {"url": "postgres://db", "credentials": secret({"user": "u", "token": secret("t-1")})},
    "keys": ["plain", secret("k-1"), {"inner": secret(2)}],
    "nested": [[secret("deep")]],
    "odd key": secret("o-1"),
}


def test_is_secret_needs_both_the_signature_and_the_marker() -> None:
    assert is_secret(secret("x"))
    assert is_secret(MappingProxyType(secret("x")))  # any Mapping, as the SDK hands them
    assert not is_secret({SECRET_SIG: "another value", "value": "x"})  # pragma: allowlist secret
    assert not is_secret({"value": "x"})
    assert not is_secret([SECRET_SIG, MARKER])
    assert not is_secret(SECRET_SIG)
    assert not is_secret(None)


def test_mask_replaces_every_secret_at_every_depth() -> None:
    assert mask(INPUTS) == {
        "name": "db",
        "password": SECRET_PLACEHOLDER,
        "connection": {"url": "postgres://db", "credentials": SECRET_PLACEHOLDER},
        "keys": ["plain", SECRET_PLACEHOLDER, {"inner": SECRET_PLACEHOLDER}],
        "nested": [[SECRET_PLACEHOLDER]],
        "odd key": SECRET_PLACEHOLDER,
    }
    assert SECRET_PLACEHOLDER == "[secret]"
    assert mask(secret("x")) == "[secret]"
    assert mask("plain") == "plain" and mask(3) == 3 and mask(None) is None


def test_mask_leaves_its_input_alone() -> None:
    before = json.dumps(INPUTS, sort_keys=True)
    mask(INPUTS)
    unwrap(INPUTS)
    assert json.dumps(INPUTS, sort_keys=True) == before


def test_unwrap_gives_the_plain_value_at_every_depth() -> None:
    assert unwrap(INPUTS) == {
        "name": "db",
        "password": "pw-1",  # pragma: allowlist secret
        "connection": {"url": "postgres://db", "credentials": {"user": "u", "token": "t-1"}},
        "keys": ["plain", "k-1", {"inner": 2}],
        "nested": [["deep"]],
        "odd key": "o-1",
    }
    assert unwrap(secret(secret("twice"))) == "twice"
    assert unwrap(MappingProxyType({"a": secret(1)})) == {"a": 1}
    assert unwrap("plain") == "plain" and unwrap(None) is None


@pytest.mark.parametrize(
    ("prefix", "key", "path"),
    [
        ("", "name", "name"),
        ("a", "b", "a.b"),
        ("a.b", "c_d-e$f9", "a.b.c_d-e$f9"),
        ("a", 0, "a[0]"),
        ("", 3, "[3]"),
        ("labels", "app.kubernetes.io/name", 'labels["app.kubernetes.io/name"]'),
        ("", "with space", '["with space"]'),
        ("a", "x\ny", 'a["x\\ny"]'),  # anchored: a plain start does not make the whole key plain
        ("a", "", 'a[""]'),
    ],
)
def test_child_path(prefix: str, key: str | int, path: str) -> None:
    assert emit.child_path(prefix, key) == path


def _digest(value: object, key: bytes = KEY) -> str:
    return hmac.new(key, json.dumps(value, sort_keys=True).encode(), hashlib.sha256).hexdigest()


def test_digests_name_each_secret_by_its_path_and_key_its_plain_value() -> None:
    out: dict[str, str] = {}
    emit._digests(INPUTS, "", KEY, is_secret, unwrap, out)
    assert out == {
        "password": _digest("pw-1"),
        "connection.credentials": _digest({"token": "t-1", "user": "u"}),
        "keys[1]": _digest("k-1"),
        "keys[2].inner": _digest(2),
        "nested[0][0]": _digest("deep"),
        '["odd key"]': _digest("o-1"),
    }
    other: dict[str, str] = {}
    emit._digests(INPUTS, "", b"another key", is_secret, unwrap, other)
    assert set(other) == set(out) and not set(other.values()) & set(out.values())


def test_a_secret_that_is_not_json_still_gets_a_digest() -> None:
    out: dict[str, str] = {}
    emit._digests({"when": secret(b"bytes")}, "", KEY, is_secret, unwrap, out)
    assert out == {"when": _digest(str(b"bytes"))}


def test_plain_makes_mock_values_json_safe() -> None:
    assert emit._plain({1: (2.0, 2.5, True, None, "s", object)}) == {
        "1": [2, 2.5, True, None, "s", str(object)]
    }
    assert isinstance(emit._plain(2.0), int) and isinstance(emit._plain(True), bool)
    assert emit._plain(MappingProxyType({"a": [1.0]})) == {"a": [1]}


def _resource(**options: object) -> SimpleNamespace:
    return SimpleNamespace(type="vault:database/secretBackendConnection:SecretBackendConnection",
                           name="db", inputs=INPUTS, custom=True, **options)  # fmt: skip


def test_record_masks_inputs_and_keeps_only_keyed_digests() -> None:
    resource = _resource(
        urn="urn:db",
        parent="urn:parent",
        dependencies=("urn:b", "urn:a", "urn:b"),
        property_dependencies={"z": ("urn:2", "urn:1"), "a": ("urn:3",)},
        provider=f"{PROVIDER}::04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        protect=True,
        ignore_changes=("z", "a"),
        delete_before_replace=True,
        replace_on_changes=("y", "x"),
        retain_on_delete=True,
        import_id="imported",
        aliases=("urn:old2", "urn:old1"),
    )
    rec = emit.record(resource, KEY)
    assert rec == {
        "urn": "urn:db",
        "type": resource.type,
        "name": "db",
        "custom": True,
        "parent": "urn:parent",
        "inputs": mask(INPUTS),
        "secrets": {
            "password": _digest("pw-1"),
            "connection.credentials": _digest({"token": "t-1", "user": "u"}),
            "keys[1]": _digest("k-1"),
            "keys[2].inner": _digest(2),
            "nested[0][0]": _digest("deep"),
            '["odd key"]': _digest("o-1"),
        },
        "dependencies": ["urn:a", "urn:b"],
        "property_dependencies": {"a": ["urn:3"], "z": ["urn:1", "urn:2"]},
        "provider": PROVIDER,  # a URN has "::" of its own: only the id after the last one goes
        "protect": True,
        "ignore_changes": ["a", "z"],
        "delete_before_replace": True,
        "replace_on_changes": ["x", "y"],
        "retain_on_delete": True,
        "import_id": "imported",
        "aliases": ["urn:old1", "urn:old2"],
        "options_recorded": True,
    }
    text = json.dumps(rec)
    for clear in ("pw-1", "t-1", "k-1", "deep", "o-1"):
        assert clear not in text


def test_record_of_an_older_harness_without_options() -> None:
    # The other tree of `plan --against` may predate recorded options: defaults, never an error.
    rec = emit.record(_resource(), KEY)
    assert rec["urn"] == f"{rec['type']}::db"
    assert (rec["parent"], rec["provider"], rec["import_id"]) == ("", "", "")
    assert rec["dependencies"] == rec["aliases"] == rec["ignore_changes"] == rec["replace_on_changes"] == []
    assert rec["property_dependencies"] == {}
    assert not (rec["protect"] or rec["delete_before_replace"] or rec["retain_on_delete"])
    assert rec["options_recorded"] is False
    empty = emit.record(_resource(urn="", provider="", dependencies=None, property_dependencies=None), KEY)
    assert (empty["urn"], empty["provider"], empty["dependencies"]) == (f"{rec['type']}::db", "", [])
    assert empty["property_dependencies"] == {} and empty["options_recorded"] is True


def test_records_are_sorted_by_urn() -> None:
    resources = [_resource(urn=urn) for urn in ("urn:c", "urn:a", "urn:b")]
    assert [r["urn"] for r in emit.records(resources, KEY)] == ["urn:a", "urn:b", "urn:c"]
