path "kv/data/app-a/*" {
  capabilities = ["read"
}
