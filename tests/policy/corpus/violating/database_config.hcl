# expect: VP-ACL-009
path "database/config/postgres" {
  capabilities = ["update"]
}
