# expect: VP-ACL-008
# Model keys live at ai/providers/<provider>/<service>: this reads every service's OpenAI key.
path "kv/data/ai/providers/openai/*" {
  capabilities = ["read"]
}
