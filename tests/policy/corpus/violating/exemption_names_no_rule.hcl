# expect: VP-EXEMPT-002
# lint:exempt reason: forgot the ID
path "kv/data/app-a/*" {
  capabilities = ["read"]
}
