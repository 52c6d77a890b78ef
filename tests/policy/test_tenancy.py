"""The tenant layout VP-ACL-008 judges against: from the stack config, per-application mounts, namespaces."""

from __future__ import annotations

import pytest

from infra.config import parse_stack_config
from infra.harness import read_stack_config
from policies.rules.tenancy import (
    DEFAULT_CONTEXT,
    LintContext,
    MountLayout,
    context_for_mounts,
    context_for_stack,
    namespace_split,
    tenant_spread,
    values_confined,
)


@pytest.mark.parametrize(
    ("path", "unit", "under"),
    [
        ("kv/data/*", "scope", "kv/data/"),
        ("kv/data/+/config", "scope", "kv/data/"),
        ("kv/data/apps/*", "tenant (apps/<service>)", "kv/data/apps/"),
        ("kv/metadata/apps/+/x", "tenant (apps/<service>)", "kv/metadata/apps/"),
        ("kv/data/apps/app-a*", "tenant (apps/<service>)", "kv/data/apps/"),
        ("kv/data/ai/providers/openai/*", "tenant (ai/providers/<provider>/<service>)", "kv/data/ai/providers/openai/"),
        ("kv/data/ai/providers/+/app-a", "tenant (ai/providers/<provider>/<service>)", "kv/data/ai/providers/"),
        ("kv/data/{{identity.entity.metadata.service}}/*", "tenant (apps/<service>)", "kv/data/apps/"),
        ("kv/d*", "operation segment", "kv/"),
        ("database/c*", "operation segment", "database/"),
        ("kv*", "mount", "kv"),
        ("+/data/x", "mount", ""),
        ("transit/keys/+/config", "scope", "transit/keys/"),
        ("secret/*", "scope", "secret/"),
        ("secret/+/+", "scope", "secret/"),
        ("secret/data/+/*", "scope", "secret/data/"),
        ("secret/a*", "scope", "secret/"),
    ],
)  # fmt: skip
def test_patterns_that_span_tenants(path: str, unit: str, under: str) -> None:
    spread = tenant_spread(path, DEFAULT_CONTEXT)
    assert spread is not None and (spread.unit, spread.under) == (unit, under)


@pytest.mark.parametrize(
    "path",
    [
        "kv/data/apps/app-a/*",
        "kv/data/apps/{{identity.entity.metadata.service}}/*",
        "kv/data/apps/app-a/+/x",
        "kv/data/ai/providers/openai/app-a",
        "kv/metadata/apps",  # ends above the tenant: lists service names
        "kv/data/app-a/*",
        "kv/+/app-a/*",
        "kv/config",
        "kv",
        "transit/export/encryption-key/app-a",
        "transit/export/+/app-a",
        "secret/+/teamb",
        "secret/+/teamb/*",
        "secret/data/{{identity.entity.name}}/*",
        "secret/",
        "sys/*",
        "cubbyhole/*",
        "ns1/sys/mounts/*",
    ],
)
def test_patterns_that_stay_in_one_tenant(path: str) -> None:
    assert tenant_spread(path, DEFAULT_CONTEXT) is None


def test_per_application_mounts_are_one_tenant_each() -> None:
    context = DEFAULT_CONTEXT.with_app_mounts(["secret-*"])
    assert tenant_spread("secret-app-a/*", DEFAULT_CONTEXT) is not None
    assert tenant_spread("secret-app-a/*", context) is None
    assert tenant_spread("secret-*", context) is not None


def test_layout_comes_from_the_stack_config() -> None:
    cfg = parse_stack_config(read_stack_config("local"))
    assert context_for_stack(cfg) == context_for_mounts(cfg.kv.path, cfg.transit.path, "database", None)
    moved = context_for_mounts(kv="secrets")
    assert tenant_spread("secrets/data/apps/+/x", moved) is not None
    assert tenant_spread("secrets/data/apps/+/x", DEFAULT_CONTEXT) is None  # foreign: `+` pinned by a tail
    assert moved.layout("secrets") == MountLayout("kv-v2", (("apps", "+"), ("ai", "providers", "+", "+")))
    assert context_for_mounts(database=None, aws=None).layout("database") is None


@pytest.mark.parametrize(
    ("path", "context", "split"),
    [
        ("ns1/sys/mounts", DEFAULT_CONTEXT, ("ns1/", "sys/mounts")),
        ("a/b/auth/token/create", DEFAULT_CONTEXT, ("a/b/", "auth/token/create")),
        ("+/identity/entity", DEFAULT_CONTEXT, ("+/", "identity/entity")),
        ("kv/data/sys/x", DEFAULT_CONTEXT, ("", "kv/data/sys/x")),  # a mount, then an operation
        ("secret/data/auth/x", DEFAULT_CONTEXT, ("", "secret/data/auth/x")),  # an operation segment
        ("ns*/sys/x", DEFAULT_CONTEXT, ("", "ns*/sys/x")),
        ("sys/mounts", DEFAULT_CONTEXT, ("", "sys/mounts")),
        ("team/kv/data/*", LintContext(namespaces=("team",)), ("team/", "kv/data/*")),
        ("team/sub/sys/x", LintContext(namespaces=("team", "team/sub")), ("team/sub/", "sys/x")),
    ],
)
def test_namespace_prefixes(path: str, context: LintContext, split: tuple[str, str]) -> None:
    assert namespace_split(path, context) == split


def test_parameter_values_confined_to_one_tenant() -> None:
    assert values_confined(["database/creds/app-a/*"], DEFAULT_CONTEXT)
    assert values_confined(["database/creds/app-a/x", "database/creds/app-a/y"], DEFAULT_CONTEXT)
    for values in (["*"], ["database/creds/*"], ["sys/x"], [], ["database/creds/{{identity.entity.name}}"]):
        assert not values_confined(values, DEFAULT_CONTEXT), values


def test_default_layout_is_the_stack_configs_default_mounts() -> None:
    assert context_for_mounts() == DEFAULT_CONTEXT
    assert DEFAULT_CONTEXT.mounts == (
        ("kv", MountLayout("kv-v2", (("apps", "+"), ("ai", "providers", "+", "+")))),
        ("transit", MountLayout("transit")),
        ("database", MountLayout("database")),
        ("aws", MountLayout("aws")),
    )
    assert context_for_mounts("k", "t", None, "a").mounts == (
        ("k", MountLayout("kv-v2", (("apps", "+"), ("ai", "providers", "+", "+")))),
        ("t", MountLayout("transit")),
        ("a", MountLayout("aws")),
    )


def test_stack_layout_with_and_without_optional_engines() -> None:
    prod = parse_stack_config(read_stack_config("prod"))
    assert [name for name, _ in context_for_stack(prod).mounts] == [prod.kv.path, prod.transit.path] + (
        ["database"] if prod.database else []
    ) + (["aws"] if prod.aws else [])
    local = parse_stack_config(read_stack_config("local"))
    assert [name for name, _ in context_for_stack(local).mounts] == ["kv", "transit", "database"]


def test_contexts_add_app_mounts_and_namespaces_without_losing_the_others() -> None:
    context = DEFAULT_CONTEXT.with_app_mounts(["a-*"]).with_namespaces(["n1"]).with_app_mounts(["b-*"])
    assert (context.mounts, context.app_mounts, context.namespaces) == (
        DEFAULT_CONTEXT.mounts,
        ("a-*", "b-*"),
        ("n1",),
    )
    assert context.is_app_mount("b-x") and not context.is_app_mount("c-x")
    assert context.layout("kv") is not None and context.layout("nope") is None


def test_pinned_rule_on_foreign_mounts() -> None:
    assert tenant_spread("secret/+", DEFAULT_CONTEXT) is not None  # every tenant's top-level secret
    assert tenant_spread("secret/+/+/x", DEFAULT_CONTEXT) is None  # the fixed tail names the tenant
    assert tenant_spread("secret/+/x*", DEFAULT_CONTEXT) is not None
    assert tenant_spread("secret/teamb", DEFAULT_CONTEXT) is None


def test_parameter_values_judged_one_by_one() -> None:
    assert not values_confined(["database/creds/app-a/*", "*"], DEFAULT_CONTEXT)
    assert not values_confined(["database/creds/app-a/*", "auth/token/x"], DEFAULT_CONTEXT)


def test_transit_export_key_segment_is_the_tenant() -> None:
    assert tenant_spread("transit/export/encryption-key/+", DEFAULT_CONTEXT) is not None
    assert tenant_spread("transit/export/encryption-key/app-a", DEFAULT_CONTEXT) is None


def test_stack_without_database_or_aws() -> None:
    from types import SimpleNamespace

    cfg = SimpleNamespace(
        kv=SimpleNamespace(path="kv"), transit=SimpleNamespace(path="t"), database=None, aws=None
    )
    assert [name for name, _ in context_for_stack(cfg).mounts] == ["kv", "t"]
