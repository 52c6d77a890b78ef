# svc-ai-gateway: what service ai-gateway may use
# Generated from policies/acl/ by infra/vault/acl.py; edit the templates, not this text.
# ai-provider-key: one model-provider key per provider and application, so a leaked token exposes
# one provider's key for one application, never the whole `ai/providers` tree.
path "kv/data/ai/providers/openai/ai-gateway" {
  capabilities = ["read"]
}

# ai-provider-key: one model-provider key per provider and application, so a leaked token exposes
# one provider's key for one application, never the whole `ai/providers` tree.
path "kv/data/ai/providers/anthropic/ai-gateway" {
  capabilities = ["read"]
}
