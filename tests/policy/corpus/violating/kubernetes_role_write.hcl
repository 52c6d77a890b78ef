# expect: VP-ACL-005
path "auth/kubernetes/role/app-a" {
  capabilities = ["create", "update"]
}
