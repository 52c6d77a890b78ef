# ai-keys-auditor: report provider keys' age (vaultctl keys status)
# Generated from policies/acl/ by infra/vault/acl.py; edit the templates, not this text.
# ai-keys-auditor: `vaultctl keys status` (the scheduled overdue report): list the providers' folders
# (a key nobody declared shows up there) and read each declared key's metadata (versions, times, owner,
# rotation record). Metadata only: never a key's value.
path "kv/metadata/ai/providers/" {
  capabilities = ["list"]
}

# ai-keys-auditor-provider: list one provider's keys (service names only).
path "kv/metadata/ai/providers/anthropic/" {
  capabilities = ["list"]
}

path "kv/metadata/ai/providers/openai/" {
  capabilities = ["list"]
}

# ai-keys-auditor-key: read one declared key's metadata.
path "kv/metadata/ai/providers/openai/ai-gateway" {
  capabilities = ["read"]
}

path "kv/metadata/ai/providers/anthropic/ai-gateway" {
  capabilities = ["read"]
}

path "kv/metadata/ai/providers/anthropic/support-bot" {
  capabilities = ["read"]
}
