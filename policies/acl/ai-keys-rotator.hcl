# ai-keys-rotator: `vaultctl keys rotate` on one provider key. Write the next version (the key's
# metadata requires check-and-set), read the current one (the copy a failed verification rolls back
# to), soft-delete a first version that failed verification, and record the rotation in the key's
# custom metadata (PATCH merges: the owner, period and ticket the Vault layer declared stay). No
# destroy and no metadata delete: every earlier version stays recoverable.
path "${kv_mount}/data/ai/providers/${provider}/${service}" {
  capabilities = ["create", "update", "read", "delete"]
}
path "${kv_mount}/metadata/ai/providers/${provider}/${service}" {
  capabilities = ["read", "patch"]
}
