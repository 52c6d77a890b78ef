# expect: VP-ACL-002
path "kv/data/app-a/*" {
  capabilities = ["read"]
}

path "kv/data/app-a/*" {
  capabilities = ["sudo"]
}
