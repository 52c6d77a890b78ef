# ai-keys-rotator: rotate the catalog's provider keys (vaultctl keys rotate)
# Generated from policies/acl/ by infra/vault/acl.py; edit the templates, not this text.
# ai-keys-rotator: `vaultctl keys rotate` on one provider key. Write the next version (the key's
# metadata requires check-and-set), read the current one (the copy a failed verification rolls back
# to), soft-delete a first version that failed verification, and record the rotation in the key's
# custom metadata: PATCH merges, and `custom_metadata` is its only allowed parameter, so the owner,
# period and ticket the Vault layer declared stay and no version can be pruned (max_versions,
# delete_version_after). No destroy and no metadata delete: every earlier version stays recoverable.
# lint:exempt VP-ACL-011 path="kv/metadata/ai/providers/openai/ai-gateway" reason="patch of custom_metadata only (allowed_parameters; measured on OpenBao: max_versions and delete_version_after refused): the rotation record; never delete"
path "kv/data/ai/providers/openai/ai-gateway" {
  capabilities = ["create", "update", "read", "delete"]
}
path "kv/metadata/ai/providers/openai/ai-gateway" {
  capabilities = ["read", "patch"]
  allowed_parameters = {
    "custom_metadata" = []
  }
}

# lint:exempt VP-ACL-011 path="kv/metadata/ai/providers/anthropic/ai-gateway" reason="patch of custom_metadata only (allowed_parameters; measured on OpenBao: max_versions and delete_version_after refused): the rotation record; never delete"
path "kv/data/ai/providers/anthropic/ai-gateway" {
  capabilities = ["create", "update", "read", "delete"]
}
path "kv/metadata/ai/providers/anthropic/ai-gateway" {
  capabilities = ["read", "patch"]
  allowed_parameters = {
    "custom_metadata" = []
  }
}
