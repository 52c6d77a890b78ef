# deployer-auth-jwt: the JWT mount, its issuer config and the deployer and previewer roles are written
# by `vaultctl init` and only read here; the deployer writes the ci-* roles of the catalog's services,
# with token_policies limited to generated names.
# lint:exempt VP-ACL-005 reason: the deployer writes the generated ci-* roles only; the issuer config and its own and the previewer's roles are read-only
path "sys/mounts/auth/${mount}" {
  capabilities = ["read"]
}
path "sys/mounts/auth/${mount}/tune" {
  capabilities = ["read"]
}
path "auth/${mount}/config" {
  capabilities = ["read"]
}
path "auth/${mount}/role/${deployer_role}" {
  capabilities = ["read"]
}
path "auth/${mount}/role/${previewer_role}" {
  capabilities = ["read"]
}
path "auth/${mount}/role/ci-*" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "token_policies" = ${token_policies}
    "*" = []
  }
}
