# expect: VP-ACL-005
# Repointing the JWT issuer lets any token log in.
path "auth/jwt/config" {
  capabilities = ["update"]
}
