# A service reads its own scope (first segment on the KV mount) and lists it.
path "kv/data/app-a/*" {
  capabilities = ["read"]
}

path "kv/metadata/app-a/*" {
  capabilities = ["list", "read"]
}
