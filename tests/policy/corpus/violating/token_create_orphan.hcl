# expect: VP-ACL-004
path "auth/token/create-orphan" {
  capabilities = ["update"]
}
