# expect: VP-ACL-002 VP-ACL-005
# Enabling an auth method (with sudo).
path "sys/auth/github" {
  capabilities = ["create", "update", "sudo"]
}
