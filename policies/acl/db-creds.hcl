# db-creds: dynamic credentials of exactly one database role; leases are renewed through token-self.
path "${db_mount}/creds/${role}" {
  capabilities = ["read"]
}
