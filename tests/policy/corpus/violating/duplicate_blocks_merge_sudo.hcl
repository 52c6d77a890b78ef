# expect: VP-ACL-002
# Two blocks for one path merge: the second adds sudo.
path "kv/data/app-a/*" {
  capabilities = ["read"]
}

path "kv/data/app-a/*" {
  capabilities = ["sudo"]
}
