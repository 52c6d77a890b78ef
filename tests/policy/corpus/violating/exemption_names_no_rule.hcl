# expect: VP-EXEMPT-002
# An exemption must name the rule it exempts.
# lint:exempt path="kv/data/app-a/*" reason="forgot the ID"
path "kv/data/app-a/*" {
  capabilities = ["read"]
}
