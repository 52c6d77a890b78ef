# expect: VP-ACL-002 VP-ACL-005
path "sys/auth/github" {
  capabilities = ["create", "update", "sudo"]
}
