# expect: VP-ACL-008
# A glob over a KV v1 mount reads every scope.
path "secret/*" {
  capabilities = ["read"]
}
