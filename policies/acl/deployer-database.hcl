# deployer-database: the one connection (host, database, user and plugin pinned to the stack config, so
# it cannot be repointed to collect the rotated admin password), its roles, and the one-shot root
# rotation after setup.
# lint:exempt VP-ACL-008 reason: the deployer manages every role the catalog declares, so it spans the roles namespaces
# lint:exempt VP-ACL-009 reason: engine configuration is the deployer's purpose; the connection is pinned by allowed_parameters and rotate-root runs once so no person keeps the admin password
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