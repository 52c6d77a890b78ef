# Reading one's own entity and one OIDC token role is self-service.
path "identity/entity/id/{{identity.entity.id}}" {
  capabilities = ["read"]
}

path "identity/oidc/token/app-a" {
  capabilities = ["read"]
}
