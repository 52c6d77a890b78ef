path "kv/data/app-a/*" {
  capabilities = ["read"]
  min_wrapping_ttl = "soon"
}
