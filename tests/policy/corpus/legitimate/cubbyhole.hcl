# Cubbyhole is per token: no other tenant can be reached.
path "cubbyhole/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
