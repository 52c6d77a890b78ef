# deployer-auth-jwt: the JWT mount, its issuer config and the deployer and previewer roles are written
# by `vaultctl init` and only read here; the deployer writes the ci-* roles of the catalog's services,
# with token_policies limited to generated names.
# lint:exempt VP-ACL-005 path="auth/${mount}/role/ci-*" reason="the deployer writes the generated ci-* roles only; the issuer config and its own and the previewer's roles are read-only"
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
# Role fields: exactly those the provider sends (resource_jwt_auth_backend_role.go, auth_token.go); no
# "*", which would also let the legacy `policies` alias of token_policies through.
path "auth/${mount}/role/ci-*" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "token_policies" = ${token_policies}
${token_fields}
    "role_type" = ["jwt"]
    "bound_audiences" = []
    "bound_claims" = []
    "bound_claims_type" = []
    "bound_subject" = []
    "user_claim" = []
    "user_claim_json_pointer" = []
    "claim_mappings" = []
    "groups_claim" = []
    "clock_skew_leeway" = []
    "expiration_leeway" = []
    "not_before_leeway" = []
    "verbose_oidc_logging" = []
    "max_age" = []
  }
}
