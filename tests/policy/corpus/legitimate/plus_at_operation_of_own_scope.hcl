# `+` at the operation segment of the project's KV mount, pinned to the own scope: reads app-a's data,
# metadata and subkeys only (destroy would need update, which VP-ACL-011 flags).
path "kv/+/app-a/*" {
  capabilities = ["read"]
}
