"""Bad stack config fails at program start with an error naming the key, and declares nothing."""

from __future__ import annotations

from typing import Any

import pytest

from infra.config import ConfigError, parse_stack_config
from infra.harness import DeclaredResource, read_stack_config, run_program

SERVICE = {"name": "svc-x", "kubernetes": {"namespace": "svc-x", "service_account": "svc-x"}}


def _services(stack: str, *extra: dict[str, Any]) -> list[dict[str, Any]]:
    return [*read_stack_config(stack)["services"], *extra]


# (stack, overrides, text the error must contain)
BAD: list[tuple[str, str, dict[str, Any], str]] = [
    ("even-nodes", "staging", {"cluster": {"nodes": 4}}, "cluster.nodes=4: must be odd and >= 3"),
    ("one-node", "local", {"cluster": {"nodes": 1}}, "cluster.nodes=1: must be odd and >= 3"),
    ("prod-3-nodes", "prod", {"cluster": {"nodes": 3}}, "cluster.nodes=3: prod must run 5 voters"),
    (
        "branch-bound-previewer-with-pull-requests",
        "staging",
        {"previewer": {"branch": "main", "events": ["pull_request", "push"]}},
        "drop `pull_request` from events or unset branch",
    ),
    (
        "prod-software-key",
        "prod",
        {"kms": {"protection_level": "SOFTWARE"}},
        "kms.protection_level='SOFTWARE': prod must be HSM",
    ),
    (
        "role-ttl-above-max",
        "prod",
        {
            "database": {
                "roles": [{"name": "readonly", "access": "readonly", "default_ttl": "9h", "max_ttl": "8h"}]
            }
        },
        "database.roles[readonly].default_ttl (32400s) must not exceed max_ttl (28800s)",
    ),
    (
        "malformed-duration",
        "staging",
        {"vault": {"default_lease_ttl": "1 hour"}},
        "vault.default_lease_ttl='1 hour': must be a duration",
    ),
    (
        "lease-default-above-max",
        "staging",
        {"vault": {"default_lease_ttl": "48h", "max_lease_ttl": "24h"}},
        "vault.default_lease_ttl (172800s) must not exceed max_lease_ttl (86400s)",
    ),
    (
        "service-name-not-dns",
        "local",
        {"services": _services("local", {**SERVICE, "name": "Billing_API"})},
        "services[Billing_API].name='Billing_API': must be a DNS-1123 label",
    ),
    (
        "duplicate-service",
        "local",
        {
            "services": _services(
                "local",
                {**SERVICE, "name": "billing", "kubernetes": {"namespace": "b2", "service_account": "b2"}},
            )
        },
        "services: duplicate service names ['billing']",
    ),
    (
        "wildcard-namespace",
        "local",
        {
            "services": _services(
                "local", {**SERVICE, "kubernetes": {"namespace": "*", "service_account": "svc-x"}}
            )
        },
        "services[svc-x].kubernetes.namespace='*': must be an exact name",
    ),
    (
        "empty-service-account",
        "local",
        {
            "services": _services(
                "local", {**SERVICE, "kubernetes": {"namespace": "svc-x", "service_account": ""}}
            )
        },
        "services[svc-x].kubernetes.service_account='': must be an exact name",
    ),
    (
        "undefined-database-role",
        "local",
        {"services": _services("local", {**SERVICE, "database_role": "admin"})},
        "services[svc-x].database_role='admin': not defined",
    ),
    (
        "undefined-aws-role",
        "prod",
        {"services": _services("prod", {**SERVICE, "aws_role": "s3-admin"})},
        "services[svc-x].aws_role='s3-admin': not defined",
    ),
    (
        "undefined-transit-key",
        "local",
        {
            "services": _services(
                "local", {**SERVICE, "transit": [{"key": "nope", "operations": ["encrypt"]}]}
            )
        },
        "services[svc-x].transit.key='nope': not defined",
    ),
    (
        "jwt-role-without-claims",
        "local",
        {"services": _services("local", {"name": "ci-x", "github": {"repository": "acme/x"}})},
        "github (acme/x): needs refs or environments",
    ),
    (
        "jwt-wildcard-claim",
        "local",
        {
            "services": _services(
                "local", {"name": "ci-x", "github": {"repository": "acme/x", "refs": ["refs/heads/*"]}}
            )
        },
        "claim value 'refs/heads/*' must be exact",
    ),
    (
        "unknown-stack-kind",
        "local",
        {"environment": "dev"},
        "environment='dev': Input should be 'prod', 'staging' or 'local'",
    ),
    (
        "misspelt-nested-key",
        "prod",
        {"cluster": {"tls": {"tls_ciper_suites": ["x"]}}},
        "cluster.tls.tls_ciper_suites: unknown key",
    ),
    ("misspelt-top-level-key", "staging", {"servics": []}, "servics: unknown key"),
    (
        "token-ttl-above-max",
        "local",
        {"services": _services("local", {**SERVICE, "token_ttl": "2h", "token_max_ttl": "1h"})},
        "services[svc-x].token_ttl (7200s) must not exceed token_max_ttl (3600s)",
    ),
    (
        "token-max-above-cap",
        "local",
        {"services": _services("local", {**SERVICE, "token_max_ttl": "48h"})},
        "services[svc-x].token_max_ttl=172800s: above vault.max_token_ttl",
    ),
    (
        "image-latest",
        "prod",
        {"cluster": {"image": "hashicorp/vault:latest"}},
        "cluster.image='hashicorp/vault:latest': must be pinned",
    ),
    (
        "staging-sslmode-disable",
        "staging",
        {"database": {"sslmode": "disable"}},
        "database.sslmode='disable': staging needs verify-ca or verify-full",
    ),
    (
        "openbao-with-aws",
        "local",
        {"aws": read_stack_config("prod")["aws"]},
        "aws: OpenBao has no AWS secrets engine",
    ),
    (
        "openbao-on-gke",
        "staging",
        {"cluster": {"server": "openbao"}, "aws": None},
        "cluster.server='openbao': staging auto-unseals with Cloud KMS",
    ),
    (
        "regional-unseal-key",
        "prod",
        {"kms": {"location": "europe-west1"}},
        "kms.location='europe-west1': a single region is lost with the cluster's region",
    ),
    (
        "shared-identity",
        "local",
        {
            "services": _services(
                "local", {**SERVICE, "kubernetes": {"namespace": "billing", "service_account": "billing-api"}}
            )
        },
        "identity used by more than one service",
    ),
]


@pytest.mark.parametrize(("case", "stack", "overrides", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_config_is_rejected_by_name_before_any_resource(
    case: str, stack: str, overrides: dict, expected: str
) -> None:
    sink: list[DeclaredResource] = []
    with pytest.raises(ConfigError) as error:
        run_program(stack, overrides, sink=sink)
    assert expected in str(error.value)
    assert sink == []


def test_shipped_stacks_are_valid() -> None:
    for stack in ("prod", "staging", "local"):
        cfg = parse_stack_config(read_stack_config(stack))
        assert cfg.environment == stack


def test_secret_values_never_appear_in_errors() -> None:
    raw = read_stack_config("prod", {"database": {"password": 12345, "port": "not-a-port"}})
    raw["database"]["password"] = ["marker-thisMustNotLeak"]  # a wrongly typed value still never shows
    with pytest.raises(ConfigError) as error:
        parse_stack_config(raw)
    assert "database.password=[secret]" in str(error.value)
    assert "thisMustNotLeak" not in str(error.value)


@pytest.mark.parametrize(
    ("value", "seconds"), [("90s", 90), ("15m", 900), ("1h", 3600), ("30d", 2_592_000), (42, 42)]
)
def test_durations_accept_vault_units(value: object, seconds: int) -> None:
    raw = read_stack_config("local", {"vault": {"max_lease_ttl": value, "default_lease_ttl": 0}})
    assert parse_stack_config(raw).vault.max_lease_ttl == seconds


def _problems(error: pytest.ExceptionInfo[ConfigError]) -> list[str]:
    text = str(error.value)
    if "\n" not in text:  # a single problem stays on one line
        return [text.removeprefix("invalid stack config: ")]
    return [line.strip() for line in text.splitlines()[1:]]


def test_every_problem_is_reported_in_one_pass() -> None:
    # A misspelt key, a bad field in one service and two undefined references in others: before, each
    # run showed only the first; now one run lists all four, each by its key path.
    services = _services(
        "local",
        {**SERVICE, "name": "svc-a", "database_role": "readonyl"},
        {
            **SERVICE,
            "name": "svc-b",
            "kubernetes": {"namespace": "b", "service_account": "b"},
            "transit": [{"key": "billing-pi", "operations": ["encrypt"]}],
        },
        {**SERVICE, "name": "svc-c", "kubernetes": {"namespace": "*", "service_account": "c"}},
    )
    raw = read_stack_config("local", {"services": services, "clustr": {}})
    with pytest.raises(ConfigError) as error:
        parse_stack_config(raw)
    problems = _problems(error)
    assert str(error.value).startswith("invalid stack config (4 problems):")
    assert any(p.startswith("clustr: unknown key (did you mean 'cluster'?)") for p in problems)
    assert any(
        p.startswith("services[svc-c].kubernetes.namespace='*': must be an exact name") for p in problems
    )
    assert any(
        p.startswith("services[svc-a].database_role='readonyl': not defined (did you mean 'readonly'?)")
        for p in problems
    )
    assert any(
        p.startswith("services[svc-b].transit.key='billing-pi': not defined (did you mean 'billing-pii'?)")
        for p in problems
    )


def test_stack_wide_checks_report_every_problem() -> None:
    raw = read_stack_config("prod", {"cluster": {"nodes": 3}, "kms": {"protection_level": "SOFTWARE"}})
    with pytest.raises(ConfigError) as error:
        parse_stack_config(raw)
    assert _problems(error) == [
        "cluster.nodes=3: prod must run 5 voters",
        "kms.protection_level='SOFTWARE': prod must be HSM",
    ]


def test_a_bad_item_does_not_also_report_references_to_it() -> None:
    # The role is invalid (TTL above max): services naming it must not add "not defined" noise.
    roles = [
        {"name": "readonly", "access": "readonly", "default_ttl": "9h", "max_ttl": "8h"},
        {"name": "readwrite", "access": "readwrite"},
    ]
    raw = read_stack_config("local", {"database": {"roles": roles}})
    assert any(s.get("database_role") == "readonly" for s in raw["services"])
    with pytest.raises(ConfigError) as error:
        parse_stack_config(raw)
    assert _problems(error) == [
        "database.roles[readonly].default_ttl (32400s) must not exceed max_ttl (28800s)"
    ]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"cluster": {"tls": {"min_versoin": "tls13"}}},
            "cluster.tls.min_versoin: unknown key (did you mean 'min_version'?)",
        ),
        ({"cluster": {"tls": {"zzz": 1}}}, "cluster.tls.zzz: unknown key (misspelt?)"),
        ({"database": {"sslmode": "verify_full"}}, "(did you mean 'verify-full'?)"),
        (
            {"environment": "prd"},
            "environment='prd': Input should be 'prod', 'staging' or 'local' (did you mean 'prod'?)",
        ),
    ],
)
def test_misspellings_get_a_did_you_mean(overrides: dict[str, Any], expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_stack_config(read_stack_config("staging", overrides))
    assert expected in str(error.value)


def test_list_items_without_a_name_keep_their_index() -> None:
    raw = read_stack_config("local", {"vault": {"rate_limits": [{"name": "ok", "rate": -1}]}})
    raw["vault"]["rate_limits"].append({"rate": 5})
    with pytest.raises(ConfigError) as error:
        parse_stack_config(raw)
    text = str(error.value)
    assert "vault.rate_limits[ok].rate=-1:" in text
    assert "vault.rate_limits[1].name: required key is missing" in text


@pytest.mark.parametrize("location", ["europe", "us", "eur4", "nam4"])
def test_a_multi_region_unseal_key_is_accepted(location: str) -> None:
    cfg = parse_stack_config(
        {**read_stack_config("prod"), "kms": {**read_stack_config("prod")["kms"], "location": location}}
    )
    assert cfg.kms is not None and cfg.kms.location == location
