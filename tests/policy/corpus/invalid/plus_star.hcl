path "kv/data/+*" {
  capabilities = ["read"]
}
