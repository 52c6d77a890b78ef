# expect: VP-ACL-008
# A glob over KV v2 data/ reads every service's secrets.
path "kv/data/*" {
  capabilities = ["read"]
}
