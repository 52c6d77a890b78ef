# ai-keys-auditor-provider: list one provider's keys (service names only).
path "${kv_mount}/metadata/ai/providers/${provider}/" {
  capabilities = ["list"]
}
