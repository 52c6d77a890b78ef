# expect: VP-ACL-008
path "kv/+/app-a/*" {
  capabilities = ["read"]
}
