# expect: VP-EXEMPT-001 VP-ACL-001
# lint:exempt VP-ACL-001
path "*" {
  capabilities = ["read"]
}
