# expect: VP-ACL-009
# A role definition decides what the credentials may do.
path "database/roles/app-a" {
  capabilities = ["create", "update"]
}
