# ai-keys-auditor-key: read one declared key's metadata.
path "${kv_mount}/metadata/ai/providers/${provider}/${service}" {
  capabilities = ["read"]
}
