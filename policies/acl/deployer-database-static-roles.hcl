# deployer-database-static-roles: the static roles the catalog declares (Vault rotates those users).
path "${db_mount}/static-roles/*" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "db_name" = ["${connection}"]
    "*" = []
  }
}
