# expect: VP-ACL-004
# Token creation.
path "auth/token/create" {
  capabilities = ["update"]
}
