# expect: VP-EXEMPT-001 VP-ACL-008
# lint:exempt VP-ACL-008 path="kv/data/*"
path "kv/data/*" {
  capabilities = ["read"]
}
