# expect: VP-ACL-001
path "+/data/*" {
  capabilities = ["read"]
}
