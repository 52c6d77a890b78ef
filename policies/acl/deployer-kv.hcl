# deployer-kv: the KV mount's settings only; the deployer never reads or writes secrets.
# lint:exempt VP-ACL-009 path="${kv_mount}/config" reason="the deployer sets the mount's max_versions/cas_required; it has no access to secret data"
path "${kv_mount}/config" {
  capabilities = ["read", "update"]
}
