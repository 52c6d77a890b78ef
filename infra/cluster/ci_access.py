"""The read-only CI identity's access to the Kubernetes Secrets the program manages.

`roles/container.viewer` (the previewer's project role) reads every kind the program applies except
Secrets: it has no `container.secrets.*` permission. A refresh reads each object in state with a GET
(pulumi-kubernetes provider/pkg/await/await.go `Read`: `client.Get`), and a 403 there fails the whole
preview (provider/pkg/provider/provider.go `Read`: only a 404 or a partial error is tolerated; only
Create/Update in preview fall back on Forbidden). A preview's Diff is computed client-side, so `get` is
the only verb the previewer needs: no `list`/`watch`, and only on the Secrets the program declares
(`resourceNames`), never on the namespace's other Secrets.

GKE authenticates a Google service account as the Kubernetes user named by its email, so the RoleBinding's
subject is `User` `ci-previewer@<project>.iam.gserviceaccount.com` (from the account's output) (GKE's RBAC guide,
cloud.google.com/kubernetes-engine/docs/how-to/role-based-access-control, "Define and assign permissions").
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_kubernetes as k8s

from infra.cluster import layout
from infra.cluster.injector import layout as injector_layout
from infra.config import StackConfig

SECRET_READER = "ci-previewer-secret-reader"  # noqa: S105  # pragma: allowlist secret (a Role's name)


def declared_secrets(cfg: StackConfig) -> dict[str, list[str]]:
    """Namespace -> names of the Secrets the program applies (cluster TLS, injector TLS, the CA copies)."""
    found: dict[str, set[str]] = {cfg.cluster.namespace: {layout.TLS_SECRET, layout.CA_SECRET}}
    if cfg.injector.enabled:
        found.setdefault(cfg.injector.namespace, set()).add(injector_layout.TLS_SECRET)
        for namespace in cfg.service_namespaces():
            found.setdefault(namespace, set()).add(injector_layout.VAULT_CA_SECRET)
    return {ns: sorted(names) for ns, names in sorted(found.items())}


def _labels() -> dict[str, str]:
    return {**layout.LABELS, "app.kubernetes.io/component": "ci-access"}


def reader_role_manifest(namespace: str, names: list[str]) -> dict:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": {"name": SECRET_READER, "namespace": namespace, "labels": _labels()},
        "rules": [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": names, "verbs": ["get"]}],
    }


def reader_binding_manifest(namespace: str, user: pulumi.Input[str]) -> dict:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": SECRET_READER, "namespace": namespace, "labels": _labels()},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": SECRET_READER},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}],
    }


def create_previewer_secret_access(
    cfg: StackConfig,
    previewer_email: pulumi.Output[str],
    namespaces: Mapping[str, pulumi.Resource],
    opts: pulumi.ResourceOptions,
) -> list[pulumi.Resource]:
    """A Role + RoleBinding per namespace holding declared Secrets; after that namespace when the program
    declares it (the services' namespaces exist before `pulumi up`, see injector/ca_bundle.py)."""
    created: list[pulumi.Resource] = []
    for namespace, names in declared_secrets(cfg).items():
        after = namespaces.get(namespace)
        ns_opts = pulumi.ResourceOptions.merge(
            opts,
            pulumi.ResourceOptions(
                depends_on=[after] if after is not None else [],
                delete_before_replace=True,  # fixed names
            ),
        )
        role = reader_role_manifest(namespace, names)
        binding = reader_binding_manifest(namespace, previewer_email)
        created.append(
            k8s.rbac.v1.Role(
                f"{SECRET_READER}-{namespace}", metadata=role["metadata"], rules=role["rules"], opts=ns_opts
            )
        )
        created.append(
            k8s.rbac.v1.RoleBinding(
                f"{SECRET_READER}-binding-{namespace}",
                metadata=binding["metadata"],
                role_ref=binding["roleRef"],
                subjects=binding["subjects"],
                opts=ns_opts,
            )
        )
    return created
