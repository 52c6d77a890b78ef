# expect: VP-ACL-001 VP-ACL-002 VP-ACL-003
# The classic bootstrap policy.
path "*" {
  capabilities = ["create", "read", "update", "delete", "list", "sudo"]
}
path "sys/*" {
  capabilities = ["read", "sudo"]
}
