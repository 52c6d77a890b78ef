"""Each audit alarm's filter against the audit entries its event really produces.

Every test makes the event happen on the local OpenBao cluster (a failed login, a refused read, a
policy write by a non-deployer, a root request, provider-key reads), captures the response entry the
audit device wrote, wraps it as GKE's logging agent would, and runs the alarm's filter with the query
evaluator. A benign neighbour of each event (a good login, the deployer's write, a service reading its
own key) must not match, every field path the filter names must exist in a captured entry (a misspelt
path exists in none), and the metric's labels must extract the values an operator needs.
"""

from __future__ import annotations

from typing import Any

import hvac
import pytest

from infra.alarms.filters import Alarm, alarms
from infra.alarms.logquery import extract, fields, matches, resolve
from infra.config import StackConfig
from infra.vault import acl
from infra.vault.ai_keys import key_path
from tests.integration.audit_capture import AuditTail, capture, log_entry
from tests.integration.conftest import github_token, k8s_login, service_login, unauthenticated

pytestmark = pytest.mark.integration


def alarm(cfg: StackConfig, suffix: str) -> Alarm:
    return next(a for a in alarms(cfg) if a.name.endswith(suffix))


def check(
    cfg: StackConfig,
    rule: Alarm,
    events: list[dict[str, Any]],
    neighbours: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    fired = [log_entry(cfg, e) for e in events]
    quiet = [log_entry(cfg, e) for e in neighbours]
    for entry in fired:
        assert matches(rule.filter, entry), (rule.name, entry["jsonPayload"]["request"]["path"])
    for entry in quiet:
        assert not matches(rule.filter, entry), (rule.name, "benign entry matched", entry["jsonPayload"])
    unknown = sorted(
        f for f in fields(rule.filter) if not any(resolve(e, tuple(f.split("."))) for e in fired + quiet)
    )
    assert unknown == [], f"{rule.name}: fields in no captured entry (misspelt?): {unknown}"
    for label, extractor in rule.labels.items():
        assert all(extract(e, extractor) for e in fired), (rule.name, label, extractor)
    return fired


@pytest.fixture(scope="module")
def tail(env: Any) -> AuditTail:
    return AuditTail(env.state.root)


@pytest.fixture(scope="module")
def provider_key(env: Any, root: Any) -> tuple[str, str]:
    """A provider key with a value, so reads of it succeed (written by root, as an operator could)."""
    service, key = env.cfg.provider_keys()[0]
    path = key_path(key.provider, service.name)
    kv = root.secrets.kv.v2
    current = kv.read_secret_metadata(path, mount_point=env.cfg.kv.path)["data"]["current_version"]
    kv.create_or_update_secret(
        path,
        secret={"api_key": "sk-alarm-test"},  # pragma: allowlist secret (a fake key)
        cas=current,
        mount_point=env.cfg.kv.path,
    )
    return service.name, path


def deployer_login(env: Any, github_key: Any) -> hvac.Client:
    d = env.cfg.deployer
    # Every claim either generation of the deployer role binds, and both audiences it may expect.
    token = github_token(
        github_key,
        env,
        aud=[env.cfg.github_oidc.audience, d.oidc_audience()],
        sub=f"repo:{d.repository}:environment:{d.environment}",
        repository=d.repository,
        repository_id=str(d.repository_id),
        repository_owner_id=str(d.repository_owner_id),
        ref=d.ref,
        event_name="push",
        job_workflow_ref=d.workflow_ref(),
        environment=d.environment,
    )
    c = unauthenticated(env)
    c.auth.jwt.jwt_login(role=acl.DEPLOYER, jwt=token, path=env.cfg.github_oidc.path)
    return c


def rotator_token(root: Any, name: str = "alice") -> hvac.Client:
    created = root.auth.token.create(
        policies=[acl.AI_KEYS_ROTATOR, acl.AI_KEYS_AUDITOR, acl.TOKEN_SELF], display_name=name, ttl="15m"
    )
    return hvac.Client(url=root.url, verify=root.session.verify, token=created["auth"]["client_token"])


def test_failed_logins_match_with_role_and_source(
    env: Any, sa_key: Any, github_key: Any, tail: AuditTail
) -> None:
    cfg = env.cfg
    rule = alarm(cfg, "auth_failures")
    login = f"auth/{cfg.kubernetes_auth.path}/login"
    gateway = next(s for s in cfg.services if s.name == "ai-gateway")
    # A service account the role is not bound to (an `error`), and a role that does not exist (an error
    # *response*, `response.data.error`): both are failed logins.
    wrong_account = capture(
        tail, login, lambda: k8s_login(env, sa_key, gateway.name, "billing", "billing-api")
    )
    no_such_role = capture(
        tail, login, lambda: k8s_login(env, sa_key, "no-such-role", "billing", "billing-api")
    )
    jwt_path = f"auth/{cfg.github_oidc.path}/login"
    ci = next(s for s in cfg.services if s.github)
    wrong_repo = capture(
        tail,
        jwt_path,
        lambda: unauthenticated(env).auth.jwt.jwt_login(
            role=f"ci-{ci.name}",
            jwt=github_token(github_key, env, repository="acme/forked"),
            path=cfg.github_oidc.path,
        ),
    )
    good = capture(tail, login, lambda: service_login(env, sa_key, github_key, gateway.name))
    fired = check(cfg, rule, [wrong_account, no_such_role, wrong_repo], [good])
    # The Kubernetes mount does not HMAC `role`: the alert names the role asked for, and the source.
    assert extract(fired[0], rule.labels["role"]) == gateway.name
    assert extract(fired[1], rule.labels["role"]) == "no-such-role"
    assert extract(fired[0], rule.labels["mount"]) == cfg.kubernetes_auth.path
    assert extract(fired[2], rule.labels["mount"]) == cfg.github_oidc.path
    assert extract(fired[0], rule.labels["source"]) == "127.0.0.1"
    assert str(wrong_repo["request"]["data"]["jwt"]).startswith("hmac-sha256:")  # the token never in clear


def test_permission_denied_matches_refusals_but_not_logins(
    env: Any, sa_key: Any, github_key: Any, tail: AuditTail, provider_key: tuple[str, str]
) -> None:
    cfg = env.cfg
    rule = alarm(cfg, "permission_denied")
    _, path = provider_key
    billing = service_login(env, sa_key, github_key, "billing")
    data_path = f"{cfg.kv.path}/data/{path}"
    refused = capture(
        tail, data_path, lambda: billing.secrets.kv.v2.read_secret_version(path, mount_point=cfg.kv.path)
    )
    refused_sys = capture(
        tail, "sys/policies/acl/svc-billing", lambda: billing.sys.read_acl_policy("svc-billing")
    )
    login = f"auth/{cfg.kubernetes_auth.path}/login"
    failed_login = capture(tail, login, lambda: k8s_login(env, sa_key, "billing", "ai-gateway", "ai-gateway"))
    gateway = service_login(env, sa_key, github_key, "ai-gateway")
    allowed = capture(
        tail, data_path, lambda: gateway.secrets.kv.v2.read_secret_version(path, mount_point=cfg.kv.path)
    )
    fired = check(cfg, rule, [refused, refused_sys], [failed_login, allowed])
    assert extract(fired[0], rule.labels["who"]) == "kubernetes-billing-billing-api"
    assert extract(fired[0], rule.labels["mount"]) == f"{cfg.kv.path}/"


def test_config_writes_outside_the_deployer_match(
    env: Any, root: Any, sa_key: Any, github_key: Any, tail: AuditTail
) -> None:
    cfg = env.cfg
    rule = alarm(cfg, "config_writes")
    probe = "alarm-probe"
    by_root = capture(
        tail,
        f"sys/policies/acl/{probe}",
        lambda: root.sys.create_or_update_acl_policy(
            probe, 'path "kv/data/none" { capabilities = ["read"] }'
        ),
    )
    legacy = capture(
        tail,
        f"sys/policy/{probe}",
        lambda: root.sys.create_or_update_policy(probe, 'path "kv/data/none" { capabilities = ["read"] }'),
    )
    root.sys.delete_policy(probe)
    # OpenBao refuses audit devices over the API (answer 400): the attempt is audited and still alarms.
    audit_attempt = capture(
        tail,
        "sys/audit/probe",
        lambda: root.sys.enable_audit_device("file", path="probe", options={"file_path": "/dev/null"}),
    )
    billing = service_login(env, sa_key, github_key, "billing")
    auth_config = f"auth/{cfg.kubernetes_auth.path}/config"
    by_service = capture(
        tail,
        auth_config,
        lambda: billing.write_data(auth_config, data={"kubernetes_host": "https://evil.example"}),
    )
    # Auth roles and identities hand policies out: written by anyone but the deployer, they alarm too.
    role_probe = f"auth/{cfg.kubernetes_auth.path}/role/alarm-probe"
    role_write = capture(
        tail,
        role_probe,
        lambda: root.write_data(
            role_probe,
            data={"bound_service_account_names": ["x"], "bound_service_account_namespaces": ["x"]},
        ),
    )
    root.delete(role_probe)
    entity_write = capture(
        tail, "identity/entity", lambda: root.secrets.identity.create_or_update_entity(name="alarm-probe")
    )
    root.secrets.identity.delete_entity_by_name("alarm-probe")
    # The deployer writing a policy it manages (the same text again) is a deploy, not an alarm.
    text = root.sys.read_acl_policy(acl.TOKEN_SELF)["data"]["policy"]
    deployer = deployer_login(env, github_key)
    by_deployer = capture(
        tail,
        f"sys/policies/acl/{acl.TOKEN_SELF}",
        lambda: deployer.sys.create_or_update_acl_policy(acl.TOKEN_SELF, text),
    )
    assert "error" not in by_deployer, "the deployer's own write must succeed for this to be a fair neighbour"
    reading = capture(
        tail, f"sys/policies/acl/{acl.TOKEN_SELF}", lambda: root.sys.read_acl_policy(acl.TOKEN_SELF)
    )
    fired = check(
        cfg,
        rule,
        [by_root, legacy, audit_attempt, by_service, role_write, entity_write],
        [by_deployer, reading],
    )
    assert extract(fired[0], rule.labels["who"]) == "root"
    assert extract(fired[3], rule.labels["path"]) == auth_config


def test_root_token_use_matches(env: Any, root: Any, sa_key: Any, github_key: Any, tail: AuditTail) -> None:
    cfg = env.cfg
    rule = alarm(cfg, "root_token")
    by_root = capture(tail, "sys/mounts", lambda: root.sys.list_mounted_secrets_engines())
    by_service = capture(
        tail,
        "auth/token/lookup-self",
        lambda: service_login(env, sa_key, github_key, "billing").auth.token.lookup_self(),
    )
    fired = check(cfg, rule, [by_root], [by_service])
    assert extract(fired[0], rule.labels["path"]) == "sys/mounts"


def test_provider_key_reads_by_unexpected_identities_match(
    env: Any, root: Any, sa_key: Any, github_key: Any, tail: AuditTail, provider_key: tuple[str, str]
) -> None:
    cfg = env.cfg
    rule = alarm(cfg, "ai_key_unexpected_reads")
    owner, path = provider_key
    data_path = f"{cfg.kv.path}/data/{path}"

    def read(client: hvac.Client) -> Any:
        return lambda: client.secrets.kv.v2.read_secret_version(path, mount_point=cfg.kv.path)

    by_root = capture(tail, data_path, read(root))
    by_other_service = capture(tail, data_path, read(service_login(env, sa_key, github_key, "billing")))
    by_owner = capture(tail, data_path, read(service_login(env, sa_key, github_key, owner)))
    by_rotator = capture(tail, data_path, read(rotator_token(root)))
    fired = check(cfg, rule, [by_root, by_other_service], [by_owner, by_rotator])
    assert extract(fired[1], rule.labels["who"]) == "kubernetes-billing-billing-api"
    assert extract(fired[0], rule.labels["path"]) == data_path


def test_provider_key_reads_by_people_match_the_off_hours_filter(
    env: Any, root: Any, sa_key: Any, github_key: Any, tail: AuditTail, provider_key: tuple[str, str]
) -> None:
    """The filter keeps reads by people and CI; the hours are the alert condition's (a promtool test)."""
    cfg = env.cfg
    rule = alarm(cfg, "ai_key_reads_off_hours")
    owner, path = provider_key
    data_path = f"{cfg.kv.path}/data/{path}"
    by_person = capture(
        tail,
        data_path,
        lambda: rotator_token(root, "bob").secrets.kv.v2.read_secret_version(path, mount_point=cfg.kv.path),
    )
    by_workload = capture(
        tail,
        data_path,
        lambda: service_login(env, sa_key, github_key, owner).secrets.kv.v2.read_secret_version(
            path, mount_point=cfg.kv.path
        ),
    )
    listing = capture(
        tail,
        f"{cfg.kv.path}/metadata/ai/providers/",
        lambda: root.secrets.kv.v2.list_secrets("ai/providers", mount_point=cfg.kv.path),
    )
    fired = check(cfg, rule, [by_person], [by_workload, listing])
    assert extract(fired[0], rule.labels["who"]) == "token-bob"
