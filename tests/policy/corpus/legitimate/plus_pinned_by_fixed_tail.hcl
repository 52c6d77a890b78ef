# Vault's documented team layout on a foreign KV v1 mount: any environment, team b's path only.
path "secret/+/teamb" {
  capabilities = ["read"]
}

path "secret/+/teamb/*" {
  capabilities = ["read", "list"]
}
