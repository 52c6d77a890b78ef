# deployer-database: the one connection (host, database, user and plugin pinned to the stack config, so
# it cannot be repointed to collect the rotated admin password), its roles, and the one-shot root
# rotation after setup.
# lint:exempt VP-ACL-008 path="${db_mount}/roles/*" reason="the deployer manages every role the catalog declares (db_name pinned to the connection), so it spans the roles namespace"
# lint:exempt VP-ACL-009 path="${db_mount}/config/${connection}" path="${db_mount}/roles/*" reason="engine configuration is the deployer's purpose; the connection is pinned by allowed_parameters"
path "${db_mount}/config/${connection}" {
  capabilities = ["create", "read", "update"]
  allowed_parameters = {
${connection_parameters}
  }
}
path "${db_mount}/roles/*" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "db_name" = ["${connection}"]
    "*" = []
  }
}
${static_roles}${rotate_root}