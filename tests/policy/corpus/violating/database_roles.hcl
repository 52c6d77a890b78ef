# expect: VP-ACL-009
path "database/roles/app-a" {
  capabilities = ["create", "update"]
}
