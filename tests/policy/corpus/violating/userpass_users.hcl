# expect: VP-ACL-005
path "auth/userpass/users/*" {
  capabilities = ["create"]
}
