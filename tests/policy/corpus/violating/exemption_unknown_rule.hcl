# expect: VP-EXEMPT-002
# A misspelt rule ID exempts nothing.
# lint:exempt VP-ACL-404 path="kv/data/app-a/*" reason="typo in the ID"
path "kv/data/app-a/*" {
  capabilities = ["read"]
}
