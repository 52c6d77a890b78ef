# ai-provider-key: one model-provider key per provider and application, so a leaked token exposes
# one provider's key for one application, never the whole `ai/providers` tree.
path "${kv_mount}/data/ai/providers/${provider}/${service}" {
  capabilities = ["read"]
}
