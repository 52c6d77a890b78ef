# One policy for every service: the scope comes from the entity, which only the deployer writes.
path "kv/data/{{identity.entity.metadata.service}}/*" {
  capabilities = ["create", "read", "update", "patch", "delete", "list"]
}

path "kv/metadata/{{identity.entity.metadata.service}}/*" {
  capabilities = ["list", "read"]
}
