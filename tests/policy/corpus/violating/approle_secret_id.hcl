# expect: VP-ACL-005
path "auth/approle/role/app-a/secret-id" {
  capabilities = ["update"]
}
