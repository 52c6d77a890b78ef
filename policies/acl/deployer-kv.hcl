# deployer-kv: the KV mount's settings only; the deployer never reads or writes secrets.
path "${kv_mount}/config" {
  capabilities = ["create", "read", "update"]
}
