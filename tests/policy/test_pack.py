"""The CrossGuard pack, proven without the Pulumi CLI: validators called by hand with props wrapped as the
engine wraps them, and the same gRPC servicer the CLI talks to driven in-process (pulumi-policy is pinned
to 1.21 in pyproject.toml because `_PolicyAnalyzerServicer` is private)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
import yaml
from google.protobuf import struct_pb2
from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel, PolicyResourceOptions, ResourceValidationArgs
from pulumi_policy.policy import PolicyCustomTimeouts, _PolicyAnalyzerServicer
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from policies.rules.catalog import RULE_IDS
from policies.rules.pack_policies import (
    MAX_TTL_CONFIG_KEY,
    PACK_NAME,
    build_policies,
    current_stack,
    enforcement_for_stack,
)
from tests.policy.helpers import as_mock_secrets
from tests.policy.resource_cases import K8S_OK, K8S_ROLE, POLICY

PACK = Path(__file__).resolve().parents[2] / "policies" / "pack"
POLICIES = {policy.name: policy for policy in build_policies()}


def _args(
    type_token: str, props: dict[str, Any], config: dict[str, Any] | None = None
) -> ResourceValidationArgs:
    options = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)
    return ResourceValidationArgs(
        type_token, unknown_checking_proxy(props), "urn:x", "r", options, None, config
    )


def _violations(
    policy_name: str, type_token: str, props: dict[str, Any], config: dict | None = None
) -> list[str]:
    reported: list[str] = []
    POLICIES[policy_name].validate(
        _args(type_token, props, config), lambda msg, urn=None: reported.append(msg)
    )
    return reported


# --- validators by hand -------------------------------------------------------------------------------


def test_one_policy_per_rule_id() -> None:
    assert set(POLICIES) == {rule_id.lower() for rule_id in RULE_IDS}


def test_validator_reports_its_own_rule_only() -> None:
    props = {**K8S_OK, "boundServiceAccountNames": ["*"], "boundServiceAccountNamespaces": ["*"]}
    assert len(_violations("vp-k8sauth-001", K8S_ROLE, props)) == 1
    assert len(_violations("vp-k8sauth-002", K8S_ROLE, props)) == 1
    assert _violations("vp-ttl-001", K8S_ROLE, props) == []


def test_validator_is_quiet_on_a_compliant_resource() -> None:
    assert all(_violations(name, K8S_ROLE, dict(K8S_OK)) == [] for name in POLICIES)


def test_validator_does_not_report_exempted_findings() -> None:
    text = '# lint:exempt VP-ACL-008 path="kv/data/*" reason="audit reader"\npath "kv/data/*" { capabilities = ["read"] }'
    assert _violations("vp-acl-008", POLICY, {"policy": text}) == []
    assert _violations("vp-acl-008", POLICY, {"policy": 'path "kv/data/*" { capabilities = ["read"] }'}) != []


def test_validator_reads_the_ttl_cap_from_pack_config_with_a_default_in_code() -> None:
    props = {**K8S_OK, "tokenMaxTtl": 7200.0}
    assert _violations("vp-ttl-002", K8S_ROLE, props) == []
    assert len(_violations("vp-ttl-002", K8S_ROLE, props, {MAX_TTL_CONFIG_KEY: 3600})) == 1


# --- enforcement per stack ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stack", "level"),
    [
        ("prod", EnforcementLevel.MANDATORY),
        ("prod-eu", EnforcementLevel.MANDATORY),
        ("production", EnforcementLevel.MANDATORY),
        ("Staging", EnforcementLevel.MANDATORY),  # not the listed name: fail closed
        ("", EnforcementLevel.MANDATORY),
        (None, EnforcementLevel.MANDATORY),
        ("staging", EnforcementLevel.ADVISORY),
        ("local", EnforcementLevel.ADVISORY),
    ],
)
def test_enforcement_is_advisory_only_on_listed_stacks(stack: str | None, level: EnforcementLevel) -> None:
    assert enforcement_for_stack(stack) is level


def test_servicer_is_mandatory_for_a_prod_variant_stack_name() -> None:
    (diagnostic,) = _analyze(_servicer(current_stack({"PULUMI_STACK": "acme/vault-platform/prod-eu"})), K8S_ROLE,
                             {**K8S_OK, "boundServiceAccountNames": ["*"]})  # fmt: skip
    assert diagnostic.enforcementLevel == proto.MANDATORY


def test_share_notice_is_advisory_even_on_prod() -> None:
    text = (
        '# lint:share from="billing" path="kv/data/apps/billing/x"\n'
        'path "kv/data/apps/billing/x" { capabilities = ["read"] }\n'
    )
    (diagnostic,) = _analyze(_servicer("prod"), POLICY, {"name": "svc-reporting", "policy": text})
    assert (diagnostic.policyName, diagnostic.enforcementLevel) == ("vp-share-001", proto.ADVISORY)


def test_undeclared_cross_service_read_blocks_prod() -> None:
    text = 'path "kv/data/apps/billing/x" { capabilities = ["read"] }\n'
    (diagnostic,) = _analyze(_servicer("prod"), POLICY, {"name": "svc-reporting", "policy": text})
    assert (diagnostic.policyName, diagnostic.enforcementLevel) == ("vp-acl-014", proto.MANDATORY)


def test_stack_comes_from_the_environment_the_cli_sets() -> None:
    assert current_stack({"PULUMI_STACK": "acme/vault-platform/prod"}) == "prod"
    assert current_stack({"PULUMI_STACK": "staging"}) == "staging"
    assert current_stack({}) is None


# --- the gRPC servicer, in process -------------------------------------------------------------------


def _servicer(stack: str | None) -> _PolicyAnalyzerServicer:
    return _PolicyAnalyzerServicer(PACK_NAME, "0.1.0", build_policies(), enforcement_for_stack(stack))


def _analyze(servicer: _PolicyAnalyzerServicer, type_token: str, props: dict[str, Any]) -> list[Any]:
    properties = struct_pb2.Struct()
    properties.update(props)
    request = proto.AnalyzeRequest(
        type=type_token, properties=properties, urn=f"urn:pulumi:s::p::{type_token}::r", name="r"
    )
    return list(servicer.Analyze(request, None).diagnostics)


def test_servicer_reports_a_mandatory_violation_on_prod() -> None:
    props = {**K8S_OK, "boundServiceAccountNames": ["*"]}
    (diagnostic,) = _analyze(_servicer("prod"), K8S_ROLE, props)
    assert (diagnostic.policyName, diagnostic.enforcementLevel) == ("vp-k8sauth-001", proto.MANDATORY)


def test_servicer_reports_advisory_on_other_stacks() -> None:
    (diagnostic,) = _analyze(_servicer("staging"), K8S_ROLE, {**K8S_OK, "boundServiceAccountNames": ["*"]})
    assert diagnostic.enforcementLevel == proto.ADVISORY


def test_pack_config_can_raise_a_rule_on_a_non_prod_stack() -> None:
    servicer = _servicer("staging")
    config = proto.ConfigureAnalyzerRequest(
        policyConfig={"vp-k8sauth-001": proto.PolicyConfig(enforcementLevel=proto.MANDATORY)}
    )
    servicer.Configure(config, None)
    (diagnostic,) = _analyze(servicer, K8S_ROLE, {**K8S_OK, "boundServiceAccountNames": ["*"]})
    assert diagnostic.enforcementLevel == proto.MANDATORY


def test_servicer_passes_pack_config_properties_to_the_validator() -> None:
    servicer = _servicer("prod")
    properties = struct_pb2.Struct()
    properties.update({MAX_TTL_CONFIG_KEY: 3600})
    config = proto.ConfigureAnalyzerRequest(
        policyConfig={"vp-ttl-002": proto.PolicyConfig(properties=properties)}
    )
    servicer.Configure(config, None)
    (diagnostic,) = _analyze(servicer, K8S_ROLE, {**K8S_OK, "tokenMaxTtl": 7200.0})
    assert diagnostic.policyName == "vp-ttl-002"


def test_servicer_unwraps_secret_inputs() -> None:
    props = as_mock_secrets({**K8S_OK, "boundServiceAccountNamespaces": ["*"]})
    (diagnostic,) = _analyze(_servicer("prod"), K8S_ROLE, props)
    assert diagnostic.policyName == "vp-k8sauth-002"


def test_unknown_value_at_preview_becomes_advisory_only_for_rules_of_that_type() -> None:
    props = {**K8S_OK, "boundServiceAccountNames": [UNKNOWN_STRING_VALUE]}
    diagnostics = _analyze(_servicer("prod"), K8S_ROLE, props)
    assert diagnostics, "an unknown input must not pass silently"
    assert all(d.enforcementLevel == proto.ADVISORY and "during preview" in d.message for d in diagnostics)
    assert {d.policyName for d in diagnostics} <= {
        "vp-k8sauth-001",
        "vp-k8sauth-002",
        "vp-ttl-001",
        "vp-ttl-002",
        "vp-ttl-003",
    }


def test_servicer_lints_policy_text_of_a_vault_policy_resource() -> None:
    (diagnostic,) = _analyze(
        _servicer("prod"), POLICY, {"name": "x", "policy": 'path "sys/*" { capabilities = ["read"] }'}
    )
    assert diagnostic.policyName == "vp-acl-003"


def test_analyzer_info_lists_every_policy_and_the_ttl_config_schema() -> None:
    info = _servicer("prod").GetAnalyzerInfo(None, None)
    assert info.name == PACK_NAME
    assert {p.name for p in info.policies} == set(POLICIES)
    (ttl,) = [p for p in info.policies if p.name == "vp-ttl-002"]
    assert MAX_TTL_CONFIG_KEY in ttl.configSchema.properties


# --- the pack folder -----------------------------------------------------------------------------------


def test_pack_main_only_builds_the_policy_pack() -> None:
    tree = ast.parse((PACK / "__main__.py").read_text(encoding="utf-8"))
    statements = [node for node in tree.body if not isinstance(node, ast.Import | ast.ImportFrom)]
    docstring, call = statements
    assert isinstance(docstring, ast.Expr) and isinstance(docstring.value, ast.Constant)
    assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
    assert isinstance(call.value.func, ast.Name) and call.value.func.id == "PolicyPack"


def test_pulumi_policy_yaml_declares_a_python_runtime_and_version() -> None:
    manifest = yaml.safe_load((PACK / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert manifest["runtime"]["name"] == "python"
    assert manifest["version"]


def test_stack_name_edge_cases(monkeypatch: pytest.MonkeyPatch) -> None:
    assert current_stack({"PULUMI_STACK": ""}) is None
    assert current_stack({"PULUMI_STACK": "acme/vault-platform/"}) is None
    assert current_stack({"PULUMI_STACK": "a/b/c/staging"}) == "staging"
    monkeypatch.setenv("PULUMI_STACK", "org/proj/prod-eu")
    assert current_stack() == "prod-eu"
    assert enforcement_for_stack(current_stack()) is EnforcementLevel.MANDATORY


def test_limits_come_from_pack_config_with_defaults_in_code() -> None:
    from policies.rules import DEFAULT_LIMITS
    from policies.rules.pack_policies import limits_from_config

    assert limits_from_config(None) is DEFAULT_LIMITS
    assert limits_from_config({}) is DEFAULT_LIMITS
    assert limits_from_config({MAX_TTL_CONFIG_KEY: None}) is DEFAULT_LIMITS
    assert limits_from_config({MAX_TTL_CONFIG_KEY: 3600}).max_ttl_seconds == 3600.0


def test_validator_reports_each_message_of_its_rule_on_that_resource() -> None:
    props = {
        "name": "p",
        "policy": 'path "kv/data/*" { capabilities = ["read"] }\npath "pki/issue/*" { capabilities = ["update"] }',
    }
    assert _violations("vp-acl-008", POLICY, props) == [
        'path "kv/data/*" spans every scope under kv/data/ with read; name the service\'s own scope',
        'path "pki/issue/*" spans every scope under pki/issue/ with update; name the service\'s own scope',
    ]
    assert _violations("vp-acl-003", POLICY, props) == []
    assert _violations("vp-k8sauth-001", POLICY, props) == []  # not a rule of this type: skipped


def test_policies_describe_their_rule_and_carry_config_only_for_the_ttl_cap() -> None:
    policy = POLICIES["vp-acl-001"]
    assert policy.description.startswith("VP-ACL-001: path matches every mount")
    assert policy.config_schema is None and POLICIES["vp-ttl-002"].config_schema is not None
    assert POLICIES["vp-share-001"].enforcement_level is EnforcementLevel.ADVISORY
    assert POLICIES["vp-acl-001"].enforcement_level is None
