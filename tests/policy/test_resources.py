"""Resource rules: each case gives exactly its expected rule IDs, whichever shape the inputs arrive in."""

from __future__ import annotations

import pytest

from policies.rules import Limits, check_resource
from policies.rules.catalog import RULES, Scope
from policies.rules.resources import rules_for_type
from tests.policy.helpers import SHAPES
from tests.policy.resource_cases import CASES, K8S_OK, K8S_ROLE, POLICY, SERVICE_ACCOUNT, Case

# Rules about a resource's existence are quiet on the alternative the message recommends.
_EXISTENCE_RULE_QUIET_TYPES = {"VP-GCP-003": SERVICE_ACCOUNT}


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_resource_triggers_exactly_the_expected_rules(case: Case, shape: str) -> None:
    findings = check_resource(case.type, "r", SHAPES[shape](case.inputs))
    assert {f.rule_id for f in findings if not f.exempted} == case.expect


@pytest.mark.parametrize("case", [c for c in CASES if c.expect], ids=lambda c: c.name)
def test_every_reported_rule_is_declared_for_its_type(case: Case) -> None:
    # The pack skips rules not declared for a type: an undeclared one would never be enforced.
    assert case.expect <= rules_for_type(case.type)


def test_every_resource_rule_has_a_firing_and_a_quiet_case() -> None:
    resource_rules = {r.rule_id for r in RULES if r.scope is Scope.RESOURCE}
    fired = set().union(*(c.expect for c in CASES))
    assert resource_rules <= fired
    quiet_types = {c.type for c in CASES if not c.expect}
    for rule_id in resource_rules:
        quiet = any(rule_id in rules_for_type(t) for t in quiet_types)
        assert quiet or _EXISTENCE_RULE_QUIET_TYPES.get(rule_id) in quiet_types, (
            f"{rule_id} has no quiet case"
        )


def test_subject_names_type_and_logical_name() -> None:
    (finding,) = check_resource(K8S_ROLE, "app-a", {**K8S_OK, "boundServiceAccountNames": ["*"]})
    assert finding.subject == f"{K8S_ROLE} app-a"


def test_ttl_cap_is_configurable() -> None:
    inputs = {**K8S_OK, "tokenMaxTtl": 7200.0}
    assert check_resource(K8S_ROLE, "r", inputs) == []
    tight = check_resource(K8S_ROLE, "r", inputs, limits=Limits(max_ttl_seconds=3600))
    assert [f.rule_id for f in tight] == ["VP-TTL-002"]


def test_exemption_inside_a_policy_resource_is_honoured() -> None:
    text = '# lint:exempt VP-ACL-008 path="kv/data/*" reason="audit reader"\npath "kv/data/*" { capabilities = ["read"] }'
    (finding,) = check_resource(POLICY, "audit-reader", {"policy": text})
    assert finding.exempted and finding.reason == "audit reader"


def test_policy_resource_is_judged_against_the_given_layout() -> None:
    from policies.rules.tenancy import context_for_mounts

    text = 'path "secrets/data/apps/+/x" { capabilities = ["read"] }'
    assert check_resource(POLICY, "p", {"policy": text}) == []  # foreign mount: `+` pinned by a tail
    found = check_resource(POLICY, "p", {"policy": text}, context=context_for_mounts(kv="secrets"))
    assert [f.rule_id for f in found] == ["VP-ACL-008"]


def test_unknown_type_has_no_rules() -> None:
    assert rules_for_type("aws:s3/bucket:Bucket") == frozenset()
