# expect: VP-EXEMPT-001 VP-ACL-008
# An exemption without a reason exempts nothing.
# lint:exempt VP-ACL-008 path="kv/data/*"
path "kv/data/*" {
  capabilities = ["read"]
}
