"""Details of the resource rules that the case table does not pin down: where TLS settings hide in
ConfigMaps, Secrets and containers, and how IAM roles are recognised."""

from __future__ import annotations

import base64

import pytest

from policies.rules import check_resource, lint_policy_text

CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
OPAQUE = "kubernetes:core/v1:Secret"
POD = "kubernetes:core/v1:Pod"
OFF = 'listener "tcp" {\n  tls_disable = true\n}\n'


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _messages(type_token: str, inputs: dict) -> list[tuple[str, str]]:
    return [(f.rule_id, f.message) for f in check_resource(type_token, "r", inputs)]


def test_config_map_text_is_scanned_in_data_and_string_data_and_binary_data_is_decoded() -> None:
    assert _messages(CONFIG_MAP, {"stringData": {"server.hcl": OFF}}) == [
        ("VP-TLS-001", "server.hcl: tls_disable is set (tls_disable = true)")
    ]
    assert _messages(CONFIG_MAP, {"binaryData": {"b.hcl": _b64(OFF)}}) == [
        ("VP-TLS-001", "b.hcl: tls_disable is set (tls_disable = true)")
    ]
    assert _messages(CONFIG_MAP, {"data": {"a.hcl": _b64(OFF)}}) == []  # a ConfigMap's data is text
    assert _messages(CONFIG_MAP, {"data": "not a map", "stringData": {"s.hcl": OFF}}) == [
        ("VP-TLS-001", "s.hcl: tls_disable is set (tls_disable = true)")
    ]
    assert len(_messages(CONFIG_MAP, {"data": {"a": OFF, "b": OFF}})) == 2


def test_secret_data_is_base64_and_undecodable_or_non_text_values_are_scanned_as_they_are() -> None:
    assert _messages(OPAQUE, {"data": {"s.hcl": _b64(OFF)}}) == [
        ("VP-TLS-001", "s.hcl: tls_disable is set (tls_disable = true)")
    ]
    assert _messages(OPAQUE, {"data": {"raw": "tls_disable = true"}}) == [
        ("VP-TLS-001", "raw: tls_disable is set (tls_disable = true)")
    ]
    assert _messages(OPAQUE, {"data": {"n": 5, "s.hcl": _b64(OFF)}}) == [
        ("VP-TLS-001", "s.hcl: tls_disable is set (tls_disable = true)")
    ]
    latin = base64.b64encode(b"\xff tls_disable = 1").decode()
    assert _messages(OPAQUE, {"data": {"l": latin}}) == [
        ("VP-TLS-001", "l: tls_disable is set (\ufffd tls_disable = 1)")
    ]
    # Not base64 (validate=True): "tls_skip_verify=1abc" would decode to bytes if padding were ignored.
    assert _messages(OPAQUE, {"stringData": {"x": "tls_skip_verify = 1"}}) == [
        ("VP-TLS-001", "x: tls_skip_verify is set (tls_skip_verify = 1)")
    ]


def _pod(container: dict) -> dict:
    return {"spec": {"securityContext": {"runAsNonRoot": True}, "containers": [
        {"name": "c", "resources": {"limits": {"memory": "1Gi"}}, **container}]}}  # fmt: skip


def test_container_env_entries_that_are_not_maps_are_skipped_not_fatal() -> None:
    env = ["junk", {"name": "VAULT_SKIP_VERIFY", "value": "true"}]
    assert _messages(POD, _pod({"env": env})) == [("VP-TLS-001", "container 'c' sets VAULT_SKIP_VERIFY=true")]


def test_only_the_skip_variables_are_read_as_booleans() -> None:
    assert _messages(POD, _pod({"env": [{"name": "FEATURE", "value": "true"}]})) == []
    assert _messages(POD, _pod({"env": [{"name": "BAO_SKIP_VERIFY", "value": "1"}]})) == [
        ("VP-TLS-001", "container 'c' sets BAO_SKIP_VERIFY=1")
    ]


def test_flags_in_the_command_count_like_flags_in_args() -> None:
    assert _messages(POD, _pod({"command": ["bao", "status", "-tls-skip-verify"]})) == [
        ("VP-TLS-001", "container 'c' command: -tls-skip-verify is used (bao status -tls-skip-verify)")
    ]
    unnamed = _pod({"args": ["--tls-skip-verify"]})
    del unnamed["spec"]["containers"][0]["name"]
    assert _messages(POD, unnamed) == [
        ("VP-TLS-001", "container '?' command: -tls-skip-verify is used (--tls-skip-verify)")
    ]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("projects/p/roles/vaultKmsUnseal", ["VP-GCP-002"]),
        ("organizations/1/roles/customKMS", ["VP-GCP-002"]),
        ("projects/kms-project/roles/storageViewer", []),  # "kms" in the project, not the role
        ("projects/p/roles/storageAdmin", []),
        ("roles/storage.admin", []),
    ],
)
def test_custom_roles_count_as_kms_by_their_own_name(role: str, expected: list[str]) -> None:
    found = check_resource(
        "gcp:projects/iAMMember:IAMMember", "r", {"project": "p", "role": role, "member": "m"}
    )
    assert [f.rule_id for f in found] == expected


def test_sys_paths_are_not_judged_as_engine_mounts() -> None:
    text = 'path "sys/config/ui/headers/x" { capabilities = ["update"] }'
    assert [f.rule_id for f in lint_policy_text(text, "p")] == ["VP-ACL-003"]
