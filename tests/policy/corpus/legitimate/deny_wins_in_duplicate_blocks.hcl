path "kv/data/*" {
  capabilities = ["read"]
}

path "kv/data/*" {
  capabilities = ["deny"]
}
