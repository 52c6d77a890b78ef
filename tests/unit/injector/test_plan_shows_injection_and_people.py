"""Acceptance: `vaultctl plan --stack prod` shows the injector, the OIDC method, the groups, the MFA method
and its enforcement, with no policy violation and the client secret masked."""

from __future__ import annotations

import io

from infra.plan import plan


def test_plan_prod_lists_injector_oidc_groups_and_mfa() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert plan("prod", out, err) == 0, err.getvalue()
    text = out.getvalue()
    for line in (
        "+ vault-platform:cluster:AgentInjector  injector",
        "+ kubernetes:apps/v1:Deployment  injector",
        "+ kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration  injector-webhook",
        "+ vault:jwt/authBackend:AuthBackend  auth-oidc",
        "+ vault:jwt/authBackendRole:AuthBackendRole  auth-oidc-role-person",
        "+ vault:identity/group:Group  group-operators",
        "+ vault:identity/groupAlias:GroupAlias  group-alias-operators",
        "+ vault:identity/mfaTotp:MfaTotp  mfa-totp",
        "+ vault:identity/mfaLoginEnforcement:MfaLoginEnforcement  mfa-login-oidc",
    ):
        assert line in text, line
    assert "    oidcClientSecret: [secret]" in text
    assert "policy findings: 0 violation(s)" in text
