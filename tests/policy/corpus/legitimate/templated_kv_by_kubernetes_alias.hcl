path "kv/data/{{identity.entity.aliases.auth_kubernetes_0b1c2d3e.metadata.service_account_namespace}}/*" {
  capabilities = ["read"]
}
