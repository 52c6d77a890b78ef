# ai-keys-auditor: `vaultctl keys status` (the scheduled overdue report): list the providers' folders
# (a key nobody declared shows up there) and read each declared key's metadata (versions, times, owner,
# rotation record). Metadata only: never a key's value.
path "${kv_mount}/metadata/ai/providers/" {
  capabilities = ["list"]
}
