# expect: VP-EXEMPT-002
# lint:exempt path="kv/data/app-a/*" reason="forgot the ID"
path "kv/data/app-a/*" {
  capabilities = ["read"]
}
