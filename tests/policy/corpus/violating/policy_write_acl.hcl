# expect: VP-ACL-007
# hashicorp/vault#6945
path "sys/policies/acl/*" {
  capabilities = ["create", "update"]
}
