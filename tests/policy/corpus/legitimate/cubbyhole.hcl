path "cubbyhole/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
