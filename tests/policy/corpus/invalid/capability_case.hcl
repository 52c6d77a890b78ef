path "kv/data/app-a/*" {
  capabilities = ["READ"]
}
