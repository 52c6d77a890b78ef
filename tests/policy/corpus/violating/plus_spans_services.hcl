# expect: VP-ACL-008
path "kv/data/+/config" {
  capabilities = ["read"]
}
