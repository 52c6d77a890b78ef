path "sys/*" {
  capabilities = ["deny"]
}

path "kv/data/app-a/*" {
  capabilities = ["read"]
}
