# Each user's own subtree, by the entity name and by the entity-scoped service of this project's layout.
path "secret/data/users/{{identity.entity.name}}/*" {
  capabilities = ["create", "read", "update", "patch", "delete", "list"]
}

path "kv/data/apps/{{identity.entity.metadata.service}}/*" {
  capabilities = ["read"]
}
