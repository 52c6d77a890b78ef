"""`vaultctl verify`'s rules on recorded API answers: each passes on a healthy answer and fails on the
broken one an operator must see."""

from __future__ import annotations

import pytest

from infra.config import parse_stack_config
from infra.harness import read_stack_config
from infra.ops import checks

HEALTHY_RAFT = {
    "config": {
        "servers": [
            {"node_id": "node-0", "leader": True, "voter": True},
            {"node_id": "node-1", "leader": False, "voter": True},
            {"node_id": "node-2", "leader": False, "voter": True},
        ]
    }
}


@pytest.mark.parametrize(
    ("stack", "nodes", "seal", "mounts", "auth"),
    [
        ("prod", 5, "gcpckms", ("kv", "transit", "database", "aws"), ("kubernetes", "jwt")),
        ("staging", 3, "gcpckms", None, ("kubernetes", "jwt")),
        ("local", 3, "transit", ("kv", "transit", "database"), ("kubernetes", "jwt")),
    ],
)
def test_expected_shape_follows_the_stack(stack, nodes, seal, mounts, auth):
    expected = checks.expected_from_config(parse_stack_config(read_stack_config(stack)))
    assert (expected.nodes, expected.seal_type, expected.auth, expected.tls_min) == (
        nodes,
        seal,
        auth,
        "tls13",
    )
    if mounts:
        assert expected.mounts == mounts
    assert expected.audit


def test_unsealed_and_seal_type():
    status = {"sealed": False, "type": "gcpckms", "recovery_seal": True, "version": "1.21.1"}
    assert checks.unsealed(status).ok
    assert not checks.unsealed({"sealed": True}).ok
    assert checks.seal_type(status, "gcpckms").ok
    assert not checks.seal_type({**status, "type": "shamir", "recovery_seal": False}, "gcpckms").ok
    assert not checks.seal_type(status, "transit").ok


def test_raft_peers():
    assert checks.raft_peers(HEALTHY_RAFT, 3).ok
    assert not checks.raft_peers(HEALTHY_RAFT, 5).ok  # two nodes never joined
    joining = {
        "config": {"servers": [*HEALTHY_RAFT["config"]["servers"][:2], {"node_id": "node-2", "voter": False}]}
    }
    check = checks.raft_peers(joining, 3)
    assert not check.ok and "2 voters" in check.detail
    assert not checks.raft_peers({"config": {"servers": []}}, None).ok


def test_autopilot():
    assert checks.autopilot({"healthy": True, "failure_tolerance": 1, "servers": {}}).ok
    bad = checks.autopilot(
        {"healthy": False, "servers": {"node-1": {"healthy": False}, "node-0": {"healthy": True}}}
    )
    assert not bad.ok and "node-1" in bad.detail


@pytest.mark.parametrize(
    ("negotiated", "below", "minimum", "ok"),
    [
        ("TLSv1.3", True, "tls13", True),
        ("TLSv1.3", False, "tls13", False),  # a TLS 1.2 client got in: the minimum is not enforced
        ("TLSv1.2", None, "tls13", False),
        ("TLSv1.2", None, "tls12", True),
        (None, None, "tls12", False),
    ],
)
def test_tls(negotiated, below, minimum, ok):
    assert checks.tls_version(negotiated, below, minimum).ok is ok


def test_audit_mounts_auth():
    assert checks.audit_devices({"file/": {}, "stdout/": {}}, ["file", "stdout"]).ok
    assert not checks.audit_devices({}, []).ok
    assert not checks.audit_devices({"file/": {}}, ["file", "stdout"]).ok
    assert checks.mounts({"kv/": {}, "transit/": {}, "sys/": {}}, ["kv", "transit"]).ok
    missing = checks.mounts({"kv/": {}}, ["kv", "database"])
    assert not missing.ok and "database" in missing.detail
    assert not checks.auth_methods({"token/": {}}, ["jwt"]).ok


def test_root_tokens():
    assert checks.root_tokens([{"accessor": "a", "policies": ["default", "deployer"]}]).ok
    check = checks.root_tokens([{"accessor": "abc", "policies": ["root"]}, {"accessor": "d", "policies": []}])
    assert not check.ok and "abc" in check.detail


def test_table_names_every_failure():
    rows = [checks.Check("initialized", True, "yes"), checks.Check("no root tokens", False, "1 outstanding")]
    table = checks.render_table(rows)
    assert "PASS" in table and "FAIL" in table and table.endswith("1/2 passed: 1 FAILED")
    assert checks.render_table(rows[:1]).endswith("1/1 passed: all checks passed")


def test_verifier_policy_passes_the_policy_linter(capsys):
    """The policy operators run `verify` with is linted like the templates (exemptions with reasons)."""
    from policies.rules import lint_cli

    assert lint_cli([str(checks.VERIFIER_POLICY_FILE)]) == 0
    paths = [line for line in checks.VERIFIER_POLICY.splitlines() if line.startswith("path ")]
    assert len(paths) == 7
    for forbidden in ('"*"', "sys/raw", "generate-root", "sys/seal", "snapshot", "sys/policies"):
        assert not any(forbidden in line for line in paths), forbidden
