path "*" {
  capabilities = ["deny"]
}
