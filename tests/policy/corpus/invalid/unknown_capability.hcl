path "kv/data/app-a/*" {
  capabilities = ["write"]
}
