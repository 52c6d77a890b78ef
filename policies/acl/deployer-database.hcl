# deployer-database: the connection, its roles, and the one-shot root rotation after setup.
# lint:exempt VP-ACL-008 path="${db_mount}/config/*" path="${db_mount}/roles/*" path="${db_mount}/static-roles/*" path="${db_mount}/rotate-root/*" reason="the deployer manages every role and connection the catalog declares, so it spans those names"
# lint:exempt VP-ACL-009 path="${db_mount}/config/*" path="${db_mount}/roles/*" path="${db_mount}/static-roles/*" path="${db_mount}/rotate-root/*" reason="engine configuration is the deployer's purpose; rotate-root runs once so no person keeps the admin password"
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
