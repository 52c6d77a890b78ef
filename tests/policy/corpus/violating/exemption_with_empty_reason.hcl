# expect: VP-EXEMPT-001 VP-ACL-008
# An empty reason is no reason.
# lint:exempt VP-ACL-008 path="kv/data/*" reason=""
path "kv/data/*" {
  capabilities = ["read"]
}
