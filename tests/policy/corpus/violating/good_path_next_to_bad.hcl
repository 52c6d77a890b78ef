# expect: VP-ACL-003
path "kv/data/{{identity.entity.metadata.service}}/*" {
  capabilities = ["read"]
}

path "sys/mounts" {
  capabilities = ["read"]
}
