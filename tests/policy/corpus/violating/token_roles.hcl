# expect: VP-ACL-004
path "auth/token/roles/ci" {
  capabilities = ["create", "update"]
}
