# expect: VP-ACL-003
# Revokes every database lease of every service.
path "sys/leases/revoke-prefix/database/creds" {
  capabilities = ["update"]
}
