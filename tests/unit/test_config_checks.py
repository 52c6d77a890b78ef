"""The stack-config checks, each shown firing with its exact message (key, bad value, what is allowed)
and quiet on the nearest good value; and the error report itself (key paths, the second pass).

Written against the survivors of the mutation run of `infra/config.py` (tests/README.md "Mutation
testing"): a check whose refusal or whose boundary no test pinned could be broken unnoticed.
"""

from __future__ import annotations

import contextvars
import copy
import json
from typing import Any

import pytest

from infra.config import (
    ConfigError,
    ConfigProblems,
    SnapshotConfig,
    StackConfig,
    load_stack_config,
    parse_stack_config,
)
from infra.harness import read_stack_config

AGENT_1_21 = "docker.io/hashicorp/vault:1.21.1@sha256:" + "a" * 64
DIGEST = "@sha256:" + "b" * 64


def problems(stack: str, overrides: dict[str, Any] | None = None, raw: dict | None = None) -> list[str]:
    """Every problem line of the refusal (fails the test if the config is accepted)."""
    with pytest.raises(ConfigError) as error:
        parse_stack_config(raw if raw is not None else read_stack_config(stack, overrides))
    text = str(error.value)
    if "\n" not in text:
        return [text.removeprefix("invalid stack config: ")]
    return [line.strip() for line in text.splitlines()[1:]]


def accepted(stack: str, overrides: dict[str, Any] | None = None, raw: dict | None = None) -> StackConfig:
    return parse_stack_config(raw if raw is not None else read_stack_config(stack, overrides))


def _service(raw: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in raw["services"] if s["name"] == name)


# --------------------------------------------------------------------------- field validators


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "must be a duration like '15m', '1h' or '30d'"),  # a bool is an int to Python
        (-1, "must not be negative"),
        ("1 hour", "must be a duration like '15m', '1h' or '30d' (units s, m, h, d)"),
        ("15w", "must be a duration like '15m', '1h' or '30d' (units s, m, h, d)"),
    ],
)
def test_a_bad_duration_is_refused_naming_the_units(value: object, message: str) -> None:
    assert problems("local", {"vault": {"default_lease_ttl": value}}) == [
        f"vault.default_lease_ttl={value!r}: {message}"
    ]


def test_durations_accept_zero_and_surrounding_blanks() -> None:
    cfg = accepted("local", {"vault": {"default_lease_ttl": 0, "max_lease_ttl": " 2h "}})
    assert (cfg.vault.default_lease_ttl, cfg.vault.max_lease_ttl) == (0, 7200)


def test_a_mount_path_must_be_plain() -> None:
    for path in ("kv/*", "/kv", "kv/../sys", "KV"):
        assert problems("local", {"kv": {"path": path}}) == [
            f"kv.path={path!r}: must be a plain path of lowercase segments (no '*', '+', '{{{{', '..' or "
            "leading '/')"
        ]
    assert accepted("local", {"kv": {"path": "team-a/kv_2"}}).kv.path == "team-a/kv_2"


@pytest.mark.parametrize(
    ("cidr", "message"),
    [
        ("8.0.0.0/7", "must not be wider than a /8 (0.0.0.0/0 would admit every address)"),
        ("0.0.0.0/0", "must not be wider than a /8 (0.0.0.0/0 would admit every address)"),
        ("10.200.0.1/24", "not a network address (did you mean 10.200.0.0/24?)"),
        ("10.200.0.0/33", "must be an IPv4 CIDR like 10.200.0.0/24"),
    ],
)
def test_a_bad_source_range_is_refused(cidr: str, message: str) -> None:
    assert problems("staging", {"gcp": {"master_authorized_cidrs": [cidr]}}) == [
        f"gcp.master_authorized_cidrs[0]={cidr!r}: {message}"
    ]


def test_a_slash_8_source_range_is_the_widest_accepted() -> None:
    cfg = accepted("staging", {"gcp": {"master_authorized_cidrs": ["11.0.0.0/8"]}})
    assert cfg.gcp is not None and cfg.gcp.master_authorized_cidrs == ["11.0.0.0/8"]


def test_workflow_files_must_be_workflow_paths() -> None:
    for workflow in ("deploy.yml", ".github/workflows/../x.yml", ".github/workflows/deploy.json"):
        assert problems("local", {"deployer": {"workflow": workflow}}) == [
            f"deployer.workflow={workflow!r}: must be a workflow file path like .github/workflows/deploy.yml"
        ]
    assert problems("local", {"previewer": {"workflows": ["pr.yml"]}}) == [
        "previewer.workflows[0]='pr.yml': must be a workflow file path like .github/workflows/deploy.yml"
    ]
    cfg = accepted("local", {"deployer": {"workflow": ".github/workflows/release.yaml"}})
    assert cfg.deployer.workflow_ref() == "acme/vault-platform/.github/workflows/release.yaml@refs/heads/main"
    assert (
        cfg.deployer.workflow_ref(".github/workflows/preview.yml")
        == "acme/vault-platform/.github/workflows/preview.yml@refs/heads/main"
    )


def test_the_oidc_audience_defaults_per_environment() -> None:
    assert accepted("staging").deployer.oidc_audience() == "vault-platform-staging"
    assert accepted("staging", {"deployer": {"audience": "aud-x"}}).deployer.oidc_audience() == "aud-x"


def test_images_must_be_pinned_by_version_and_digest() -> None:
    assert problems("local", {"injector": {"image": "hashicorp/vault-k8s:1.7.2"}}) == [
        "injector.image='hashicorp/vault-k8s:1.7.2': must be pinned by version and digest: "
        "repo:tag@sha256:<64 hex digits>"
    ]
    # A private registry with a port is a registry, not a tag; a port must be digits.
    private = "registry.internal:5000/platform/vault-k8s:1.7.2" + DIGEST
    assert accepted("local", {"injector": {"image": private}}).injector.image == private
    assert problems("local", {"injector": {"image": "registry.internal:x/vault-k8s:1.7.2" + DIGEST}})


def test_container_sizes_must_be_quantities() -> None:
    assert problems("local", {"injector": {"resources": {"cpu_limit": "1 core"}}}) == [
        "injector.resources.cpu_limit='1 core': must be a Kubernetes quantity like 250m, 1, 64Mi or 1Gi"
    ]


def test_idp_groups_are_exact_names() -> None:
    raw = read_stack_config("local")
    raw["human_auth"]["groups"][0]["idp_group"] = "vault-*"
    assert problems("local", raw=raw) == [
        "human_auth.groups[operators].idp_group='vault-*': must be the IdP group name exactly (letters, "
        "digits, ' ._@:/-'; no '*')"
    ]


# --------------------------------------------------------------------------- stack-wide checks


def test_gke_stacks_need_their_sections_and_settings() -> None:
    assert problems(
        "staging",
        {
            "cluster": {"zones": ["europe-west1-b", "europe-west1-b", "europe-west1-c"]},
            "github_oidc": {"oidc_discovery_url": None},
            "gcp": {"project_number": None},
        },
    ) == [
        "cluster.zones=['europe-west1-b', 'europe-west1-b', 'europe-west1-c']: staging needs 3 distinct zones",
        "github_oidc.oidc_discovery_url: required for the staging stack",
        "gcp.project_number: required for the staging stack (the CI identities' Workload Identity "
        "Federation principals name the project by number)",
    ]


def test_a_region_without_a_default_multi_region_needs_a_bucket_location() -> None:
    assert problems("prod", {"snapshots": {"location": None}, "gcp": {"region": "me-central1"}}) == [
        "snapshots.location: required for gcp.region='me-central1' (no default multi-region covers it); "
        "set a multi-region or a dual-region"
    ]


@pytest.mark.parametrize(
    ("region", "location"),
    [("europe-west1", "EU"), ("us-central1", "US"), ("northamerica-northeast1", "US"), ("asia-east1", "ASIA"),
     ("me-central1", "")],
)  # fmt: skip
def test_the_default_bucket_location_is_the_regions_multi_region(region: str, location: str) -> None:
    assert SnapshotConfig(bucket="b").bucket_location(region) == location
    assert SnapshotConfig(bucket="b", location="EUR4").bucket_location(region) == "EUR4"


@pytest.mark.parametrize("sslmode", ["disable", "require"])
def test_gke_stacks_verify_the_database_certificate(sslmode: str) -> None:
    assert problems("staging", {"database": {"sslmode": sslmode}}) == [
        f"database.sslmode={sslmode!r}: staging needs verify-ca or verify-full"
    ]
    assert accepted("staging", {"database": {"sslmode": "verify-ca"}}).database is not None


def test_openbao_stacks_have_no_aws_engine_and_gke_runs_vault() -> None:
    assert problems("local", {"aws": read_stack_config("prod")["aws"]}) == [
        "aws: OpenBao has no AWS secrets engine; remove it for cluster.server=openbao"
    ]
    assert (
        "cluster.server='openbao': staging auto-unseals with Cloud KMS, whose `gcpckms` seal OpenBao 2.7 "
        "does not build in; use server: vault"
    ) in problems("staging", {"cluster": {"server": "openbao"}, "aws": None})


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (
            "https://:8200",
            "vault.address host '' is not inside cluster.api_access.dns_zone 'staging.acme.internal': "
            "nothing would resolve it",
        ),
        (
            "http://vault.staging.acme.internal:8200",
            "vault.address='http://vault.staging.acme.internal:8200': the load balancer serves https on "
            "port 8200 (e.g. https://vault.staging.acme.internal:8200)",
        ),
    ],
)
def test_the_vault_address_is_the_load_balancers(address: str, expected: str) -> None:
    assert expected in problems("staging", {"vault": {"address": address}})


@pytest.mark.parametrize(
    ("cidr", "key", "own"),
    [
        ("10.20.5.0/24", "gcp.pods_cidr", "10.20.0.0/16"),
        ("10.30.0.0/24", "gcp.services_cidr", "10.30.0.0/20"),
        ("172.16.0.0/24", "gcp.master_cidr", "172.16.0.0/28"),
    ],
)
def test_client_ranges_must_not_overlap_the_clusters_own(cidr: str, key: str, own: str) -> None:
    allowed = ["10.200.0.0/24", cidr]
    assert problems("staging", {"cluster": {"api_access": {"allowed_cidrs": allowed}}}) == [
        f"cluster.api_access.allowed_cidrs: {cidr} overlaps {key} ({own})"
    ]


def test_gke_stacks_need_an_alarm_channel() -> None:
    assert problems("staging", {"alarms": {"notification_channels": []}}) == [
        "alarms.notification_channels: the staging stack needs at least one (email or pagerduty), or its "
        "audit alarms reach nobody"
    ]


def test_token_caps_are_inclusive() -> None:
    # A maximum equal to its cap is within it; one second less of cap is not.
    raw = read_stack_config("local", {"vault": {"max_token_ttl": "8h"}})
    _service(raw, "billing")["token_max_ttl"] = "8h"
    cfg = accepted("local", raw=raw)  # a person's token_max_ttl defaults to 8h
    assert cfg.human_auth is not None and cfg.human_auth.oidc.token_max_ttl == cfg.vault.max_token_ttl
    assert problems("local", {"vault": {"max_token_ttl": 28799}}) == [
        "human_auth.oidc.token_max_ttl=28800s: above vault.max_token_ttl (28799s)"
    ]
    assert problems("local", {"vault": {"max_token_ttl": 14399}}) == [
        "services[ai-gateway].token_max_ttl=14400s: above vault.max_token_ttl (14399s)",
        "services[billing].token_max_ttl=14400s: above vault.max_token_ttl (14399s)",
        "services[analytics].token_max_ttl=14400s: above vault.max_token_ttl (14399s)",
        "human_auth.oidc.token_max_ttl=28800s: above vault.max_token_ttl (14399s)",
    ]


def test_a_person_login_mount_of_its_own() -> None:
    assert problems("local", {"human_auth": {"oidc": {"path": "jwt"}}}) == [
        "human_auth.oidc.path='jwt': already used by another auth method"
    ]


def test_a_stack_without_database_or_human_login_is_valid() -> None:
    raw = copy.deepcopy(read_stack_config("local"))
    del raw["database"], raw["human_auth"]
    for service in raw["services"]:
        service.pop("database_role", None)
    cfg = accepted("local", raw=raw)
    assert cfg.database is None and cfg.human_auth is None


def test_an_undefined_aws_role_gets_a_did_you_mean() -> None:
    raw = read_stack_config("staging")
    _service(raw, "analytics")["aws_role"] = "analytics-s3-reed"
    assert problems("staging", raw=raw) == [
        "services[analytics].aws_role='analytics-s3-reed': not defined (did you mean 'analytics-s3-read'?) "
        "(aws.roles: ['analytics-s3-read'])"
    ]


def test_a_share_from_an_unknown_service_lists_the_catalog() -> None:
    raw = read_stack_config("local")
    _service(raw, "analytics")["kv"] = {"shares_from": [{"service": "biling", "path": "x"}]}
    assert problems("local", raw=raw) == [
        "services[analytics].kv.shares_from: service 'biling' is not in the catalog (did you mean "
        "'billing'?) (services: ['ai-gateway', 'analytics', 'billing', 'ml-models-ci'])"
    ]
    _service(raw, "analytics")["kv"] = {"shares_from": [{"service": "billing", "path": "x"}]}
    assert accepted("local", raw=raw)


@pytest.mark.parametrize(
    ("read", "fix"),
    [
        ("apps/billing/invoices/summary", "declare it as kv.shares_from: [{service: billing, path: invoices/summary}]"),
        ("apps/billing", "name one secret inside it with kv.shares_from"),
    ],
)  # fmt: skip
def test_a_kv_read_into_another_tenant_names_the_share_to_declare(read: str, fix: str) -> None:
    raw = read_stack_config("local")
    _service(raw, "analytics")["kv"] = {"read": [read]}
    assert problems("local", raw=raw) == [
        f"services[analytics].kv.read={read!r}: inside service billing's subtree (apps/billing/); {fix}"
    ]


def test_a_provider_key_outside_the_kv_providers_is_refused() -> None:
    raw = read_stack_config("local", {"kv": {"ai_providers": ["openai", "anthropic", "mistral"]}})
    key = {"provider": "mistrall", "owner": "ml@acme.example", "ticket": "SEC-1"}
    _service(raw, "analytics")["kv"] = {"ai_keys": [key]}
    raw["kv"]["ai_providers"] = ["openai", "anthropic", "mistral"]
    assert problems("local", raw=raw) == [
        "services[analytics].kv.ai_providers: 'mistrall' not in kv.ai_providers ['anthropic', 'mistral', "
        "'openai'] (did you mean 'mistral'?)"
    ]


@pytest.mark.parametrize("namespace", ["kube-system", "kube-public", "default"])
def test_the_injector_and_vault_never_run_in_a_system_namespace(namespace: str) -> None:
    assert problems("local", {"injector": {"namespace": namespace}}) == [
        f"injector.namespace={namespace!r}: must not be a service namespace or a system namespace (the "
        "webhook would gate the pods that serve it)"
    ]
    assert problems("local", {"cluster": {"namespace": namespace}}) == [
        f"cluster.namespace={namespace!r}: must not be a service namespace or a system namespace (the "
        "webhook would gate the pods that serve it)"
    ]


@pytest.mark.parametrize("namespace", ["kube-system", "kube-public", "kube-node-lease"])
def test_services_never_live_in_a_system_namespace(namespace: str) -> None:
    raw = read_stack_config("local")
    _service(raw, "ml-models-ci")["kubernetes"] = {"namespace": namespace, "service_account": "ci"}
    assert (
        f"services: namespace {namespace!r} is the cluster's own; the injector's webhook fails closed on "
        "service namespaces and must never gate system pods"
    ) in problems("local", raw=raw)


@pytest.mark.parametrize("grant", [{"database_role": "readonly"}, {"aws_role": "analytics-s3-read"},
                                   {"transit": [{"key": "billing-pii", "operations": ["encrypt"]}]}])  # fmt: skip
def test_leased_secrets_need_a_renewing_agent(grant: dict[str, Any]) -> None:
    raw = read_stack_config("staging")
    service = _service(raw, "support-bot")
    service.update(grant)
    service["kubernetes"] = {**service["kubernetes"], "agent": "init-only"}
    assert problems("staging", raw=raw) == [
        "services[support-bot].kubernetes.agent='init-only': its leased secrets (database, AWS) or transit "
        "token need a renewing sidecar; use agent: sidecar or auto"
    ]


@pytest.mark.parametrize(
    "server_image",
    [
        "hashicorp/vault:1.21.0",
        "hashicorp/vault:1.21.4" + DIGEST,  # the digest's ':' is not the tag's
        "registry.acme.internal:5000/hashicorp/vault:1.21.1",  # nor is a registry port's
    ],
)
def test_the_agent_runs_the_servers_release(server_image: str) -> None:
    cfg = accepted("staging", {"cluster": {"image": server_image}, "injector": {"agent_image": AGENT_1_21}})
    assert cfg.cluster.image == server_image
    assert problems(
        "staging",
        {"cluster": {"image": server_image}, "injector": {"agent_image": AGENT_1_21.replace("1.21", "1.20")}},
    ) == [
        f"injector.agent_image={AGENT_1_21.replace('1.21', '1.20')!r}: run the server's release "
        f"({server_image.split('@')[0].rpartition(':')[2]}, cluster.image) as the agent"
    ]


def test_a_local_vault_server_may_run_another_agent_release() -> None:
    # The local stack runs no injector of its own: its agent image is only the annotations' default.
    overrides = {"cluster": {"server": "vault", "image": "hashicorp/vault:1.21.1"}}
    overrides["injector"] = {"agent_image": AGENT_1_21.replace("1.21", "1.19")}
    assert accepted("local", overrides).cluster.server == "vault"


def test_dynamic_openai_keys_may_last_exactly_the_server_maximum() -> None:
    prod = read_stack_config("prod")
    dynamic = [s for s in prod["services"] if s.get("openai")]
    assert dynamic, "prod declares a service with dynamic OpenAI keys"
    dynamic[0]["openai"] = {**dynamic[0]["openai"], "max_ttl": prod["vault"].get("max_lease_ttl", 86400)}
    assert accepted("prod", raw=prod)


# --------------------------------------------------------------------------- the error report


def test_a_check_reports_every_problem_it_found() -> None:
    error = ConfigProblems(["a.x=1: too big", "a.y=2: too small"])
    assert error.problems == ["a.x=1: too big", "a.y=2: too small"]
    assert str(error) == "a.x=1: too big\na.y=2: too small"


def test_an_unknown_key_points_to_the_reference_and_names_the_nested_model() -> None:
    raw = read_stack_config("local")
    _service(raw, "billing")["kubernetes"]["namespce"] = "billing"
    assert problems("local", raw=raw) == [
        "services[billing].kubernetes.namespce: unknown key (did you mean 'namespace'?); the README's config "
        "reference lists the allowed keys"
    ]


def test_list_items_are_named_only_by_a_string_name() -> None:
    raw = read_stack_config("local", {"vault": {"rate_limits": [{"name": 7, "rate": 1}]}})
    assert problems("local", raw=raw) == ["vault.rate_limits[0].name=7: Input should be a valid string"]


def test_a_list_the_schema_derives_is_reported_by_index() -> None:
    # kv.ai_providers is derived from kv.ai_keys when omitted: the raw input has no such list.
    raw = read_stack_config("local")
    key = {"provider": "Open_AI", "owner": "ml@acme.example", "ticket": "SEC-1"}
    _service(raw, "analytics")["kv"] = {"ai_keys": [key]}
    lines = problems("local", raw=raw)
    assert "services[analytics].kv.ai_providers[0]='Open_AI': must be a DNS-1123 label: lowercase letters, " \
        "digits and '-', at most 63 characters" in lines  # fmt: skip


def test_a_field_and_a_model_check_are_both_reported() -> None:
    lines = problems(
        "staging", {"gcp": {"master_authorized_cidrs": ["0.0.0.0/0"]}, "kms": {"location": "europe-west1"}}
    )
    assert lines[0].startswith("gcp.master_authorized_cidrs[0]='0.0.0.0/0': must not be wider than a /8")
    assert lines[1].startswith("kms.location='europe-west1': a single region is lost")


@pytest.mark.parametrize(
    ("overrides", "first"),
    [
        ({"cluster": {"log_level": "verbose"}}, "cluster.log_level='verbose': Input should be"),
        ({"cluster": {"tls": {"min_version": "tls11"}}}, "cluster.tls.min_version='tls11': Input should be"),
        ({"database": {"sslmode": "verify_full"}}, "database.sslmode='verify_full': Input should be"),
        ({"cluster": {"tls": {"min_versoin": "tls13"}}}, "cluster.tls.min_versoin: unknown key"),
    ],
)
def test_a_bad_optional_value_still_lets_the_stack_checks_run(overrides: dict, first: str) -> None:
    # The default stands in for the bad value, so the stack-wide check (nodes) reports as well.
    lines = problems("staging", {**overrides, "cluster": {**overrides.get("cluster", {}), "nodes": 4}})
    assert len(lines) == 2 and lines[0].startswith(first)
    assert lines[1] == "cluster.nodes=4: must be odd and >= 3 (prod: 5)"


def test_a_bad_required_value_stops_before_the_stack_checks() -> None:
    # Without the value there is nothing to check the rest against; "missing" would be wrong.
    assert problems("staging", {"cluster": {"nodes": "many", "zones": ["a"]}}) == [
        "cluster.nodes='many': Input should be a valid integer, unable to parse string as an integer"
    ]


def test_bad_list_items_are_dropped_before_the_stack_checks() -> None:
    # Items at the start and the end of one list, and one in a list nested in the first service: each
    # dropped (none reported twice), and the stack-wide check still runs over the rest.
    raw = read_stack_config("local", {"cluster": {"nodes": 4}})
    raw["vault"]["rate_limits"] = [{"name": "bad-0", "rate": 0}, {"name": "ok", "rate": 1},
                                   {"name": "bad-2", "rate": -1}]  # fmt: skip
    raw["services"][0]["transit"] = [{"key": "billing-pii", "operations": ["encrypt", "shred"]}]
    assert [line.split("=")[0] for line in problems("local", raw=raw)] == [
        "vault.rate_limits[bad-0].rate",
        "vault.rate_limits[bad-2].rate",
        "services[ai-gateway].transit[0].operations[1]",
        "cluster.nodes",
    ]


def test_a_list_emptied_by_the_drop_is_not_reported_as_too_short() -> None:
    raw = read_stack_config(
        "local", {"vault": {"audit": [{"name": "Bad", "type": "file", "file_path": "x"}]}}
    )
    assert problems("local", raw=raw) == [
        "vault.audit[Bad].name='Bad': must be a DNS-1123 label: lowercase letters, digits and '-', at most 63 "
        "characters"
    ]


def test_the_callers_config_is_left_alone() -> None:
    raw = read_stack_config("local", {"cluster": {"nodes": 4}})
    raw["vault"]["rate_limits"].append({"name": "bad", "rate": 0})
    before = copy.deepcopy(raw)
    problems("local", raw=raw)
    assert raw == before


def test_the_program_reads_only_its_own_config_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    from pulumi.runtime import config as runtime_config

    raw = read_stack_config("local")
    # The engine hands JSON text, the mocks may hand the value itself; another provider's key comes first.
    values: dict[str, Any] = {"aws:region": "eu-west-1"}
    values |= {f"vault-platform:{k}": v if k == "cluster" else json.dumps(v) for k, v in raw.items()}
    monkeypatch.setattr(runtime_config, "get_config_env", lambda: values)
    cfg = contextvars.Context().run(load_stack_config)  # a fresh context: no program's CONFIG
    assert cfg.environment == "local" and cfg.cluster.nodes == 3


def test_a_section_refused_for_its_own_value_is_not_also_reported_missing() -> None:
    raw = copy.deepcopy(read_stack_config("staging"))
    raw["kms"]["location"] = "europe-west1"
    found = problems("staging", raw=raw)
    assert len(found) == 1 and found[0].startswith("kms.location='europe-west1': a single region"), found
    del raw["kms"]
    assert problems("staging", raw=raw) == ["kms: required for the staging stack"]


def test_openai_markers_are_named_and_the_section_is_not_reported_missing() -> None:
    """Only the unset plugin keys: the `openai` section is there, so "add the `openai` section" would
    send the operator looking for a section that exists (it is dropped only to run the other checks)."""
    raw = copy.deepcopy(read_stack_config("prod"))
    raw["openai"]["image"] = raw["openai"]["sha256"] = "OPERATOR-SUPPLIED"
    found = problems("prod", raw=raw)
    assert sorted(line.split(":")[0] for line in found) == ["openai.image", "openai.sha256"], found
    assert all("still OPERATOR-SUPPLIED" in line for line in found)
    del raw["openai"]
    assert any(
        "ask for dynamic OpenAI keys: add the `openai` section" in line for line in problems("prod", raw=raw)
    )
