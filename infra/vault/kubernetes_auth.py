"""Kubernetes auth: one role per service, bound to exactly its service account and namespace."""

from __future__ import annotations

import pulumi
import pulumi_vault as vault

from infra.config import Service, StackConfig
from infra.names import SNAPSHOT_ROLE, SNAPSHOT_SERVICE_ACCOUNT
from infra.vault import acl
from infra.vault._opts import child


def service_role_name(service: Service) -> str:
    """The service's role on the Kubernetes auth mount (the injector's `vault.hashicorp.com/role`)."""
    return service.name


def declare_kubernetes_auth(
    cfg: StackConfig, parent: pulumi.Resource, policies: dict[str, vault.Policy]
) -> vault.AuthBackend:
    k8s = cfg.kubernetes_auth
    backend = vault.AuthBackend(
        "auth-kubernetes",
        type="kubernetes",
        path=k8s.path,
        description="workloads' service accounts",
        # The audit log shows which role a failed login asked for (the failed-login alarm groups by it);
        # the role name is no secret, the JWT stays HMAC'd.
        tune=vault.AuthBackendTuneArgs(audit_non_hmac_request_keys=acl.KUBERNETES_AUDIT_CLEAR_KEYS),
        opts=child(parent),
    )
    vault.kubernetes.AuthBackendConfig(
        "auth-kubernetes-config",
        backend=backend.path,
        kubernetes_host=k8s.host,
        kubernetes_ca_cert=k8s.ca_pem or None,
        # In the cluster Vault uses its own pod's token as the TokenReview caller: no long-lived reviewer JWT.
        disable_local_ca_jwt=False,
        opts=child(parent, backend),
    )

    def role(
        name: str, namespace: str, account: str, ttl: int, max_ttl: int, token_policies: list[str]
    ) -> None:
        vault.kubernetes.AuthBackendRole(
            f"auth-kubernetes-role-{name}",
            backend=backend.path,
            role_name=name,
            bound_service_account_names=[account],
            bound_service_account_namespaces=[namespace],
            audience=k8s.audience,
            # The alias is `namespace/account`, so the Vault layer can pre-create it and attach the
            # entity whose metadata the templated policies read.
            alias_name_source="serviceaccount_name",
            token_ttl=ttl,
            token_max_ttl=max_ttl,
            token_policies=token_policies,
            token_no_default_policy=True,
            opts=child(parent, backend, *(policies[p] for p in token_policies)),
        )

    for service in cfg.services:
        if service.kubernetes:
            role(
                service_role_name(service),
                service.kubernetes.namespace,
                service.kubernetes.service_account,
                service.token_ttl,
                service.token_max_ttl,
                acl.service_token_policies(service),
            )
    # The snapshot CronJob's identity: reads snapshots and nothing else, tokens live 15 minutes.
    role(
        SNAPSHOT_ROLE,
        cfg.cluster.namespace,
        SNAPSHOT_SERVICE_ACCOUNT,
        900,
        900,
        [acl.SNAPSHOT, acl.TOKEN_SELF],
    )
    return backend
