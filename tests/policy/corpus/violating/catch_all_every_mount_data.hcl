# expect: VP-ACL-001
# A `+` mount segment reaches data/ of every mount.
path "+/data/*" {
  capabilities = ["read"]
}
