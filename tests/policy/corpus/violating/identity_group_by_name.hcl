# expect: VP-ACL-006
path "identity/group/name/admins" {
  capabilities = ["update"]
}
