path "kv/data/{{identity.entity.id/*" {
  capabilities = ["read"]
}
