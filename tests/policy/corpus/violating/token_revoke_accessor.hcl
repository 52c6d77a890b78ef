# expect: VP-ACL-013
# Revokes anyone's token given its accessor (accessors are listed in audit logs and lookups).
path "auth/token/revoke-accessor" {
  capabilities = ["update"]
}
