# expect: VP-ACL-008
# Shaped like public External Secrets Operator examples: one cluster-wide reader of a whole KV v2 mount.
path "secret/data/*" {
  capabilities = ["read"]
}

path "secret/metadata/*" {
  capabilities = ["read", "list"]
}
