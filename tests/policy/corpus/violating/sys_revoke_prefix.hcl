# expect: VP-ACL-003
path "sys/leases/revoke-prefix/database/creds" {
  capabilities = ["update"]
}
