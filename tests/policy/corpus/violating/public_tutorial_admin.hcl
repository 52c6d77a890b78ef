# expect: VP-ACL-002 VP-ACL-003 VP-ACL-004 VP-ACL-005 VP-ACL-007 VP-ACL-008 VP-ACL-013
# Shaped like the admin policy of HashiCorp's "Vault policies" tutorial: every policy, auth method and mount.
path "sys/health" {
  capabilities = ["read", "sudo"]
}

path "sys/policies/acl/*" {
  capabilities = ["create", "read", "update", "delete", "list", "sudo"]
}

path "auth/*" {
  capabilities = ["create", "read", "update", "delete", "list", "sudo"]
}

path "sys/auth/*" {
  capabilities = ["create", "update", "delete", "sudo"]
}

path "sys/mounts/*" {
  capabilities = ["create", "read", "update", "delete", "list", "sudo"]
}

path "secret/*" {
  capabilities = ["create", "read", "update", "delete", "list", "sudo"]
}
