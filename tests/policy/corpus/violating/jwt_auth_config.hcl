# expect: VP-ACL-005
path "auth/jwt/config" {
  capabilities = ["update"]
}
