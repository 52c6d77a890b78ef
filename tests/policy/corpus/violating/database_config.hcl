# expect: VP-ACL-009
# The database connection holds the admin credentials.
path "database/config/postgres" {
  capabilities = ["update"]
}
