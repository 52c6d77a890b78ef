# kv-read: read one KV v2 secret (or the secrets directly under one folder) the catalog names.
path "${kv_mount}/data/${path}" {
  capabilities = ["read"]
}
