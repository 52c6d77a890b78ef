# expect: VP-ACL-008
path "kv*" {
  capabilities = ["read"]
}
