# ai-keys-auditor: `vaultctl keys status` (the scheduled overdue report): list and read the metadata
# of the provider keys (versions, times, owner, rotation record). Metadata only: never a key's value.
path "${kv_mount}/metadata/ai/providers/*" {
  capabilities = ["read", "list"]
}
