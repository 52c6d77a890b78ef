# expect: VP-ACL-008
path "kv/data/*" {
  capabilities = ["read"]
}
