# Shaped like the application policy of HashiCorp's Vault Agent / Kubernetes tutorials: one app's KV v2 scope.
path "secret/data/webapp/config" {
  capabilities = ["read"]
}

path "secret/metadata/webapp/*" {
  capabilities = ["list"]
}
