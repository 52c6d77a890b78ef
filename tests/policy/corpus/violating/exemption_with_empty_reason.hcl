# expect: VP-EXEMPT-001 VP-ACL-008
# lint:exempt VP-ACL-008 reason:
path "kv/data/*" {
  capabilities = ["read"]
}
