"""The AWS secrets engine (HashiCorp Vault only): root credentials as secrets, scoped roles."""

from __future__ import annotations

import json

import pulumi
import pulumi_vault as vault

from infra.config import AwsConfig, AwsRole
from infra.vault._opts import child, rotate_root_once, secret


def policy_document(role: AwsRole) -> str:
    """The IAM policy of an iam_user role: the statements the catalog lists, nothing more."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": sorted(s.actions), "Resource": sorted(s.resources)}
                for s in role.statements
            ],
        },
        sort_keys=True,
    )


def declare_aws(aws: AwsConfig, parent: pulumi.Resource) -> vault.aws.SecretBackend:
    backend = vault.aws.SecretBackend(
        "aws",
        path=aws.path,
        region=aws.region,
        access_key=secret(aws.access_key.get_secret_value()),
        secret_key=secret(aws.secret_key.get_secret_value()),
        description="AWS credentials",
        # protect: deleting the mount forgets the rotated root key and revokes every lease.
        opts=pulumi.ResourceOptions(parent=parent, ignore_changes=["accessKey", "secretKey"], protect=True),
    )
    roles = []
    for role in aws.roles:
        assumed = role.credential_type == "assumed_role"
        roles.append(
            vault.aws.SecretBackendRole(
                f"aws-role-{role.name}",
                backend=backend.path,
                name=role.name,
                credential_type=role.credential_type,
                # The STS fields only for assumed roles; None leaves an input out.
                role_arns=role.role_arns if assumed else None,
                default_sts_ttl=role.default_sts_ttl if assumed else None,
                max_sts_ttl=role.max_sts_ttl if assumed else None,
                policy_document=policy_document(role) if role.statements else None,
                opts=child(parent, backend),
            )
        )
    if aws.rotate_root:
        rotate_root_once(
            "aws-rotate-root",
            backend.path.apply(lambda path: f"{path}/config/rotate-root"),
            parent,
            backend,
            *roles,
        )
    return backend
