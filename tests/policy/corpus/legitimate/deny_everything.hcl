# Deny grants nothing, even on every path.
path "*" {
  capabilities = ["deny"]
}
