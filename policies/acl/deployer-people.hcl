# deployer-people: people's login (human_auth) as the provider writes it: the OIDC method pinned to the
# stack's IdP (discovery URL, client id, CA) and default role, the `person` role whose tokens carry
# human-base only, the external groups whose policies can only be the generated human-* names (an entity
# or group write attaching any other policy is the CVE-2024-9180 escalation), their aliases, the TOTP
# method (never its admin-generate/admin-destroy) and the login enforcement.
# lint:exempt VP-ACL-002 path="sys/auth/${mount}" reason="Vault requires sudo to enable an auth method; only the people's mount, type pinned to oidc"
# lint:exempt VP-ACL-005 path="sys/auth/${mount}" path="auth/${mount}/config" path="auth/${mount}/role/${role}" reason="the people's OIDC method with its IdP pinned to the stack config and the generated person role (token policies pinned to human-base)"
# lint:exempt VP-ACL-006 path="identity/group" path="identity/group/id/*" path="identity/group-alias" path="identity/group-alias/id/*" path="identity/mfa/method/totp" path="identity/mfa/method/totp/*" path="identity/mfa/login-enforcement/${enforcement}" reason="external groups whose policies are pinned to the generated human-* names, their aliases, the TOTP method without its enrolment endpoints (denied below), and the login enforcement"
path "sys/auth/${mount}" {
  capabilities = ["update", "sudo"]
  allowed_parameters = {
    "type" = ["oidc"]
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
path "sys/mounts/auth/${mount}/tune" {
  capabilities = ["read"]
}
path "auth/${mount}/config" {
  capabilities = ["create", "read", "update"]
  allowed_parameters = {
${config_parameters}
  }
}
path "auth/${mount}/role/${role}" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "token_policies" = ${token_policies}
${token_fields}
    "role_type" = ["oidc"]
    "bound_audiences" = []
    "bound_claims" = []
    "bound_claims_type" = []
    "bound_subject" = []
    "user_claim" = []
    "user_claim_json_pointer" = []
    "claim_mappings" = []
    "groups_claim" = []
    "oidc_scopes" = []
    "allowed_redirect_uris" = []
    "clock_skew_leeway" = []
    "expiration_leeway" = []
    "not_before_leeway" = []
    "verbose_oidc_logging" = []
    "max_age" = []
  }
}
path "identity/group" {
  capabilities = ["update"]
  allowed_parameters = {
    "type" = ["external"]
    "name" = ${group_names}
    "policies" = ${group_policies}
    "metadata" = []
  }
}
path "identity/group/id/*" {
  capabilities = ["read", "update", "delete"]
  allowed_parameters = {
    "name" = ${group_names}
    "policies" = ${group_policies}
    "metadata" = []
    "external_policies" = [false]
  }
}
path "identity/group-alias" {
  capabilities = ["update"]
  allowed_parameters = {
    "name" = []
    "mount_accessor" = []
    "canonical_id" = []
  }
}
path "identity/group-alias/id/*" {
  capabilities = ["read", "update", "delete"]
  allowed_parameters = {
    "name" = []
    "mount_accessor" = []
    "canonical_id" = []
  }
}
path "identity/mfa/method/totp" {
  capabilities = ["update"]
  allowed_parameters = {
${totp_parameters}
  }
}
path "identity/mfa/method/totp/*" {
  capabilities = ["read", "update", "delete"]
  allowed_parameters = {
${totp_parameters}
  }
}
# Enrolment hands out a person's TOTP secret, reset removes it: people's operations, never CI's.
path "identity/mfa/method/totp/admin-generate" {
  capabilities = ["deny"]
}
path "identity/mfa/method/totp/admin-destroy" {
  capabilities = ["deny"]
}
path "identity/mfa/login-enforcement/${enforcement}" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "mfa_method_ids" = []
    "auth_method_accessors" = []
    "auth_method_types" = []
    "identity_group_ids" = []
    "identity_entity_ids" = []
  }
}
