# The caller's namespace, from its Kubernetes auth alias, is the whole tenant segment.
path "secret/data/{{identity.entity.aliases.auth_kubernetes_0b1c2d3e.metadata.service_account_namespace}}/*" {
  capabilities = ["read"]
}
