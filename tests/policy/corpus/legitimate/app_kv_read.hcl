path "kv/data/app-a/*" {
  capabilities = ["read"]
}

path "kv/metadata/app-a/*" {
  capabilities = ["list", "read"]
}
