# expect: VP-ACL-004
path "auth/token/*" {
  capabilities = ["update"]
}
