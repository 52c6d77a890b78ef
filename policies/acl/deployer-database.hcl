# deployer-database: the connection, its roles, and the one-shot root rotation after setup.
path "${db_mount}/config/*" {
  capabilities = ["create", "read", "update", "delete"]
}
path "${db_mount}/roles/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
path "${db_mount}/static-roles/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
path "${db_mount}/rotate-root/*" {
  capabilities = ["update"]
}
