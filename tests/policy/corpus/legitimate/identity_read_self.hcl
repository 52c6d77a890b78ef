path "identity/entity/id/{{identity.entity.id}}" {
  capabilities = ["read"]
}

path "identity/oidc/token/app-a" {
  capabilities = ["read"]
}
