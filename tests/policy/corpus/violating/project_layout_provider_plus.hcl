# expect: VP-ACL-008
# A `+` at the provider segment reads the key of every provider for app-a, and ai/providers/<p>/<s> is one
# tenant per pair.
path "kv/data/ai/providers/+/app-a" {
  capabilities = ["read"]
}
