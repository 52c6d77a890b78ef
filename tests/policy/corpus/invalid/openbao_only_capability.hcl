path "kv/metadata/app-a/*" {
  capabilities = ["scan"]
}
