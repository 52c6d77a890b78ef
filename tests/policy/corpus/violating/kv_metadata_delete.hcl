# expect: VP-ACL-011
path "kv/metadata/app-a/*" {
  capabilities = ["read", "list", "delete"]
}
