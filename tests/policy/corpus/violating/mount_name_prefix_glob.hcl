# expect: VP-ACL-008
# A partial glob at the mount segment spans every mount named kv*.
path "kv*" {
  capabilities = ["read"]
}
