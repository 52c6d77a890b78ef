# expect: VP-ACL-002
# sudo has no business on an application path.
path "kv/data/app-a/*" {
  capabilities = ["read", "sudo"]
}
