# expect: VP-ACL-008
# On the project's KV mount the first scope segment is the tenant: `+` spans them.
path "kv/data/+/config" {
  capabilities = ["read"]
}
