# expect: VP-ACL-008
path "kv/data/*" {
  capabilities = ["read"]
}

path "kv/data/payments/*" {
  capabilities = ["deny"]
}
