# expect: VP-ACL-003
# The own-subtree grant is fine; enabling mounts is not.
path "kv/data/apps/{{identity.entity.metadata.service}}/*" {
  capabilities = ["read"]
}

path "sys/mounts/*" {
  capabilities = ["create", "update"]
}
