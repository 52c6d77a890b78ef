"""The auto-unseal key: key ring, crypto key, and a key-scoped custom role for the Vault server only.

Losing this key makes every Raft snapshot unrecoverable (hashicorp/vault#20039): ring and key are
`protect`ed, and Cloud KMS never deletes key rings or keys anyway (destroying versions is a separate,
scheduled operation nobody here performs).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.config import StackConfig
from infra.platform.identity import account_member, fixed_name

# Exactly what the gcpckms seal calls: Encrypt/Decrypt, plus cryptoKeys.get which current Vault checks at
# start (hashicorp/vault#17850). The predefined roles/cloudkms.cryptoKeyEncrypterDecrypter lacks `get`;
# roles/cloudkms.viewer would add list/read on everything in the project.
UNSEAL_PERMISSIONS = (
    "cloudkms.cryptoKeys.get",
    "cloudkms.cryptoKeyVersions.useToEncrypt",
    "cloudkms.cryptoKeyVersions.useToDecrypt",
)
UNSEAL_ROLE_ID = "vaultKmsUnseal"


def unseal_role_name(project: str) -> str:
    return f"projects/{project}/roles/{UNSEAL_ROLE_ID}"


@dataclass(frozen=True)
class UnsealKey:
    key_ring: gcp.kms.KeyRing
    crypto_key: gcp.kms.CryptoKey
    role: gcp.projects.IAMCustomRole
    grant: gcp.kms.CryptoKeyIAMMember


def create_unseal_key(
    cfg: StackConfig, vault_account: gcp.serviceaccount.Account, opts: pulumi.ResourceOptions
) -> UnsealKey:
    assert cfg.gcp is not None and cfg.kms is not None
    # Ring, key and the custom role live in the KMS project (a project's custom role can only be granted
    # on that project's resources); the Vault account stays in the workload project.
    project, kms = cfg.kms_project(), cfg.kms
    protected = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=True))
    key_ring = gcp.kms.KeyRing(
        "unseal-key-ring", project=project, name=kms.key_ring, location=kms.location, opts=protected
    )
    crypto_key = gcp.kms.CryptoKey(
        "unseal-key",
        name=kms.crypto_key,
        key_ring=key_ring.id,
        purpose="ENCRYPT_DECRYPT",
        rotation_period=f"{kms.rotation_period}s",
        version_template=gcp.kms.CryptoKeyVersionTemplateArgs(
            algorithm="GOOGLE_SYMMETRIC_ENCRYPTION", protection_level=kms.protection_level
        ),
        labels={"environment": cfg.environment, "purpose": "vault-auto-unseal"},
        opts=protected,
    )
    role = gcp.projects.IAMCustomRole(
        "unseal-role",
        project=project,
        role_id=UNSEAL_ROLE_ID,
        title="Vault KMS auto-unseal",
        description="Encrypt/decrypt with, and read the metadata of, the key it is bound on; nothing else.",
        permissions=list(UNSEAL_PERMISSIONS),
        stage="GA",
        opts=fixed_name(opts),
    )
    # Bound on the key itself, never the ring or the project: the role is useless for any other key.
    grant = gcp.kms.CryptoKeyIAMMember(
        "unseal-key-vault-server",
        crypto_key_id=crypto_key.id,
        role=role.role_id.apply(lambda _: unseal_role_name(project)),
        member=account_member(vault_account),  # from the account's outputs: the grant waits for it
        opts=opts,
    )
    return UnsealKey(key_ring, crypto_key, role, grant)
