# deployer-auth-kubernetes: enable the Kubernetes auth method, configure it with exactly the API host
# (and CA) of the stack config, and write the roles the catalog generates. Enabling needs sudo
# (sys/auth/* is root-protected) and is pinned to the kubernetes type; reads and tunes go through
# sys/mounts/auth/, as the provider does, without sudo.
# lint:exempt VP-ACL-002 path="sys/auth/${mount}" reason="Vault requires sudo to enable an auth method; only this mount, type pinned to kubernetes"
# lint:exempt VP-ACL-005 path="sys/auth/${mount}" path="auth/${mount}/config" path="auth/${mount}/role/*" reason="the deployer writes the generated Kubernetes roles (token_policies limited to generated names) and a config pinned to the stack's API host and CA"
# lint:exempt VP-ACL-003 path="sys/mounts/auth/${mount}/tune" reason="reads this auth mount and tunes its lease TTLs and description only"
path "sys/auth/${mount}" {
  capabilities = ["update", "sudo"]
  allowed_parameters = {
    "type" = ["kubernetes"]
    "description" = []
    "config" = []
    "local" = []
    "seal_wrap" = []
    "external_entropy_access" = []
    "options" = []
  }
}
path "sys/mounts/auth/${mount}" {
  capabilities = ["read"]
}
# The tune block's lists as the provider sends them: only the login's `role` may be kept in clear in
# the audit log (the JWT itself never), the other lists empty ([""]).
path "sys/mounts/auth/${mount}/tune" {
  capabilities = ["read", "update"]
  allowed_parameters = {
    "default_lease_ttl" = []
    "max_lease_ttl" = []
    "options" = []
    "force_no_cache" = []
    "description" = []
    "audit_non_hmac_request_keys" = ${audit_clear_keys}
    "audit_non_hmac_response_keys" = ["", [""]]
    "passthrough_request_headers" = ["", [""]]
    "allowed_response_headers" = ["", [""]]
  }
}
path "auth/${mount}/config" {
  capabilities = ["read", "update"]
  allowed_parameters = {
${config_parameters}
  }
}
# Role fields: exactly those the provider sends (resource_kubernetes_auth_backend_role.go, auth_token.go);
# no "*", which would also let the legacy `policies` alias of token_policies through.
path "auth/${mount}/role/*" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "token_policies" = ${token_policies}
${token_fields}
    "bound_service_account_names" = []
    "bound_service_account_namespaces" = []
    "bound_service_account_namespace_selector" = []
    "audience" = []
    "alias_name_source" = []
  }
}
