# expect: VP-ACL-001
path "+/*" {
  capabilities = ["update"]
}
