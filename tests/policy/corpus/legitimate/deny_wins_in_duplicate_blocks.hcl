# Duplicate blocks merge and deny wins: nothing is granted.
path "kv/data/*" {
  capabilities = ["read"]
}

path "kv/data/*" {
  capabilities = ["deny"]
}
