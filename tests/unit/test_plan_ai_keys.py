"""Issue 17's acceptance on the offline preview: `vaultctl plan --stack prod` shows the OpenAI plugin, its
roles, the audit log metrics and alert policies, and the policy checks stay clean."""

from __future__ import annotations

import pytest

from infra.alarms.filters import alarms
from infra.cli import main
from infra.config import parse_stack_config
from infra.harness import read_stack_config


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_plan_shows_the_plugin_roles_metrics_and_alert_policies(
    stack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "--stack", stack]) == 0
    out = capsys.readouterr().out
    cfg = parse_stack_config(read_stack_config(stack))
    assert "+ vault:index/plugin:Plugin  openai-plugin" in out
    assert f"    sha256: {cfg.openai.sha256}" in out and f"    version: {cfg.openai.version}" in out
    assert "+ vault:index/mount:Mount  openai" in out
    for service in (s for s in cfg.services if s.openai):
        assert f"+ vault:generic/endpoint:Endpoint  openai-role-{service.name}" in out
    for alarm in alarms(cfg):
        assert f"+ gcp:logging/metric:Metric  {alarm.name.replace('_', '-')}" in out
        assert f"+ gcp:monitoring/alertPolicy:AlertPolicy  alert-{alarm.name.replace('_', '-')}" in out
    for service, key in cfg.provider_keys():
        assert f"+ vault:generic/endpoint:Endpoint  ai-key-metadata-{key.provider}-{service.name}" in out
    assert "+ vault:jwt/authBackendRole:AuthBackendRole  auth-jwt-role-keys-auditor" in out
    assert "policy findings: 0 violation(s)" in out
    assert cfg.openai.admin_api_key.get_secret_value() not in out
