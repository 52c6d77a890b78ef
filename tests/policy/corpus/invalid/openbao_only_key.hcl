path "kv/metadata/app-a/*" {
  capabilities = ["list"]
  pagination_limit = 10
}
