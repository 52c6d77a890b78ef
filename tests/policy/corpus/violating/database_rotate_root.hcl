# expect: VP-ACL-009
path "database/rotate-root/postgres" {
  capabilities = ["update"]
}
