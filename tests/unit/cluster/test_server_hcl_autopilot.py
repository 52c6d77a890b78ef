"""Autopilot loop periods are a local-environment speed-up only: the local nodes' HCL carries them,
the staging/prod server config (the ConfigMap every pod reads) never does."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.cluster.server_config import render
from infra.config import parse_stack_config
from infra.harness import read_stack_config
from infra.local import nodes
from infra.local.kms import Kms
from infra.local.pki import NodePki
from infra.local.state import State
from tests.unit.cluster.test_cluster_server_hcl import block, parse

KEYS = ("autopilot_reconcile_interval", "autopilot_update_interval")


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_production_hcl_keeps_the_server_defaults(stack: str) -> None:
    text = render(parse_stack_config(read_stack_config(stack)))
    _, raft = block(parse(text), "storage")
    assert not any(key in text for key in KEYS)
    assert raft["performance_multiplier"] == 1  # the renderer did run the raft stanza


def test_local_nodes_render_the_shorter_periods(tmp_path: Path) -> None:
    cfg = parse_stack_config(read_stack_config("local"))
    pki = NodePki(tmp_path / "ca.pem", tmp_path / "node.pem", tmp_path / "node-key.pem")
    kms = Kms("https://127.0.0.1:1", "autounseal", "transit/", tmp_path / "ca.pem")
    addresses = nodes.addresses([10001, 10002, 10003, 10004, 10005, 10006])
    _, raft = block(parse(nodes.render_node(cfg, State(tmp_path), pki, kms, addresses, 0)), "storage")
    assert raft["autopilot_reconcile_interval"] == nodes.AUTOPILOT_RECONCILE_INTERVAL
    assert raft["autopilot_update_interval"] == nodes.AUTOPILOT_UPDATE_INTERVAL
