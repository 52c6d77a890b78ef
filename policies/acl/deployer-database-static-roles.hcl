# deployer-database-static-roles: the static roles the catalog declares (Vault rotates those users).
# lint:exempt VP-ACL-008 path="${db_mount}/static-roles/*" reason="the static roles the catalog declares, db_name pinned to the connection"
# lint:exempt VP-ACL-009 path="${db_mount}/static-roles/*" reason="the static roles the catalog declares, db_name pinned to the connection"
path "${db_mount}/static-roles/*" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "db_name" = ["${connection}"]
    "*" = []
  }
}
