"""Config for the way in (issue 11): the API's access CIDRs and private DNS zone, the audit devices a GKE
pod can write, and `vault.configure` stated in every stack file. Each check fires on a bad value and is
quiet on the shipped stacks."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from infra.config import ConfigError, parse_stack_config
from infra.harness import read_stack_config, stack_file


def _parse(stack: str, overrides: dict[str, Any]) -> Any:
    return parse_stack_config(read_stack_config(stack, overrides))


def _access(**values: Any) -> dict[str, Any]:
    return {"cluster": {"api_access": values}}


BAD: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "everyone",
        "prod",
        _access(allowed_cidrs=["0.0.0.0/0"]),
        "cluster.api_access.allowed_cidrs[0]='0.0.0.0/0': must not be wider than a /8",
    ),
    (
        "nearly-everyone",
        "staging",
        _access(allowed_cidrs=["10.200.0.0/24", "0.0.0.0/1"]),
        "cluster.api_access.allowed_cidrs[1]='0.0.0.0/1': must not be wider than a /8",
    ),
    (
        "host-bits",
        "prod",
        _access(allowed_cidrs=["10.200.0.7/24"]),
        "cluster.api_access.allowed_cidrs[0]='10.200.0.7/24': not a network address",
    ),
    (
        "not-a-cidr",
        "prod",
        _access(allowed_cidrs=["runners"]),
        "cluster.api_access.allowed_cidrs[0]='runners': must be an IPv4 CIDR",
    ),
    (
        "no-cidrs",
        "prod",
        _access(allowed_cidrs=[]),
        "cluster.api_access.allowed_cidrs",
    ),
    (
        # An ipBlock over the pods' range would admit every pod of the cluster, around the namespace list.
        "pods-range",
        "prod",
        _access(allowed_cidrs=["10.20.0.0/16"]),
        "cluster.api_access.allowed_cidrs: 10.20.0.0/16 overlaps gcp.pods_cidr (10.20.0.0/16)",
    ),
    (
        "host-outside-zone",
        "prod",
        {"vault": {"address": "https://vault.acme.com:8200"}},
        "vault.address host 'vault.acme.com' is not inside cluster.api_access.dns_zone 'prod.acme.internal'",
    ),
    (
        "ip-address",
        "staging",
        {"vault": {"address": "https://10.10.0.5:8200"}},
        "vault.address host '10.10.0.5' is not inside cluster.api_access.dns_zone",
    ),
    (
        "wrong-port",
        "prod",
        {"vault": {"address": "https://vault.prod.acme.internal"}},
        "vault.address='https://vault.prod.acme.internal': the load balancer serves https on port 8200",
    ),
    (
        "bad-zone",
        "prod",
        _access(dns_zone="Prod_Acme.internal."),
        "cluster.api_access.dns_zone='Prod_Acme.internal.': must be a lowercase DNS name",
    ),
    (
        "file-audit-on-gke",
        "prod",
        {"vault": {"audit": [{"name": "file", "type": "file", "file_path": "/vault/audit/audit.log"}]}},
        "vault.audit[file].file_path='/vault/audit/audit.log': GKE pods have a read-only root "
        "filesystem and no audit volume; use file_path: stdout (Cloud Logging)",
    ),
]


@pytest.mark.parametrize(("case", "stack", "overrides", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_access_config_is_refused_by_name(
    case: str, stack: str, overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as err:
        _parse(stack, overrides)
    assert message in str(err.value)


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_gke_stacks_need_a_way_in(stack: str) -> None:
    raw = read_stack_config(stack)
    del raw["cluster"]["api_access"]
    with pytest.raises(ConfigError, match=f"cluster.api_access: required for the {stack} stack"):
        parse_stack_config(raw)


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_shipped_gke_stacks_declare_access_inside_their_zone(stack: str) -> None:
    cfg = parse_stack_config(read_stack_config(stack))
    access = cfg.cluster.api_access
    assert access is not None and access.allowed_cidrs
    assert cfg.vault.address == f"https://vault.{access.dns_zone}:8200"
    # a file device on stdout is fine on GKE: it is what Cloud Logging collects
    assert all(d.file_path == "stdout" for d in cfg.vault.audit if d.type == "file")


def test_local_stack_keeps_its_file_audit_device_and_needs_no_access() -> None:
    cfg = parse_stack_config(read_stack_config("local"))
    assert cfg.cluster.api_access is None
    assert [d.file_path for d in cfg.vault.audit] == ["audit.log"]


@pytest.mark.parametrize("stack", ["prod", "staging", "local"])
def test_vault_configure_is_stated_in_every_stack_file(stack: str) -> None:
    # A brand-new stack must say `configure: false` until `vaultctl init` has run: no silent default.
    document = yaml.safe_load(stack_file(stack).read_text())
    assert isinstance(document["config"]["vault-platform:vault"]["configure"], bool)
    raw = read_stack_config(stack)
    del raw["vault"]["configure"]
    with pytest.raises(ConfigError, match=r"vault\.configure: required key is missing"):
        parse_stack_config(raw)
