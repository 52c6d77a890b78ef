# deployer: the CI identity that applies this Vault configuration layer
# Generated from policies/acl/ by infra/vault/acl.py; edit the templates, not this text.
# deployer-base: the CI identity that runs `pulumi up` for the Vault layer. Every block in the deployer
# policy is a call the Terraform Vault provider inside pulumi-vault makes for a resource this program
# declares (infra/local/vault_resources.py names the provider source file of each call); nothing else.
# What it can still do, and the compensating control: policies/README.md, "The deployer".
# lint:exempt VP-ACL-006 path="identity/entity" path="identity/entity/id/*" path="identity/entity-alias" path="identity/entity-alias/id/*" reason="per-service entities and their aliases; entity writes carry name (svc-* only) and metadata, never policies, and there are no group writes"
# lint:exempt VP-ACL-003 path="sys/quotas/rate-limit/*" reason="sys/ grants are the quotas, the mount reads/tunes and the auth enable the provider calls for declared objects; no seal, raw, rekey, generate-root, audit writes or token creation"
#
# The provider's start-up (internal/provider/meta.go): it looks its token up. The program sets
# skip_child_token, so it never calls auth/token/create, and this policy does not grant it.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
# Entities carry metadata only; policies come from the auth roles (external_policies on the resource).
# `policies` is not an allowed parameter, so no entity write can attach one (CVE-2024-9180). A create
# with an existing name updates that entity, hence the svc-* name on every write.
path "identity/entity" {
  capabilities = ["update"]
  allowed_parameters = {
    "name" = ["svc-*"]
    "metadata" = []
    "disabled" = []
  }
}
path "identity/entity/id/*" {
  capabilities = ["read", "update", "delete"]
  allowed_parameters = {
    "name" = ["svc-*"]
    "metadata" = []
    "disabled" = []
    "external_policies" = []
  }
}
# Alias creation first looks the alias up (resource_identity_entity_alias.go): a read served over POST.
path "identity/lookup/entity" {
  capabilities = ["update"]
  allowed_parameters = {
    "alias_name" = []
    "alias_mount_accessor" = []
  }
}
path "identity/entity-alias" {
  capabilities = ["update"]
  allowed_parameters = {
    "name" = []
    "mount_accessor" = []
    "canonical_id" = []
    "custom_metadata" = []
    "external_id" = []
    "issuer" = []
  }
}
path "identity/entity-alias/id/*" {
  capabilities = ["read", "update", "delete"]
  allowed_parameters = {
    "name" = []
    "mount_accessor" = []
    "canonical_id" = []
    "custom_metadata" = []
    "external_id" = []
    "issuer" = []
  }
}
path "sys/quotas/rate-limit/*" {
  capabilities = ["create", "read", "update", "delete"]
}

# deployer-policy-write: one policy name (or a prefix only generated names use) the deployer writes.
# lint:exempt VP-ACL-007 path="sys/policies/acl/kv-own-read" reason="applying the generated policies is the deployer's purpose; never default, root, deployer or previewer (those are read-only below, written by vaultctl init)"
path "sys/policies/acl/kv-own-read" {
  capabilities = ["create", "read", "update", "delete"]
}

# lint:exempt VP-ACL-007 path="sys/policies/acl/kv-own-write" reason="applying the generated policies is the deployer's purpose; never default, root, deployer or previewer (those are read-only below, written by vaultctl init)"
path "sys/policies/acl/kv-own-write" {
  capabilities = ["create", "read", "update", "delete"]
}

# lint:exempt VP-ACL-007 path="sys/policies/acl/token-self" reason="applying the generated policies is the deployer's purpose; never default, root, deployer or previewer (those are read-only below, written by vaultctl init)"
path "sys/policies/acl/token-self" {
  capabilities = ["create", "read", "update", "delete"]
}

# lint:exempt VP-ACL-007 path="sys/policies/acl/snapshot" reason="applying the generated policies is the deployer's purpose; never default, root, deployer or previewer (those are read-only below, written by vaultctl init)"
path "sys/policies/acl/snapshot" {
  capabilities = ["create", "read", "update", "delete"]
}

# lint:exempt VP-ACL-007 path="sys/policies/acl/ai-keys-rotator" reason="applying the generated policies is the deployer's purpose; never default, root, deployer or previewer (those are read-only below, written by vaultctl init)"
path "sys/policies/acl/ai-keys-rotator" {
  capabilities = ["create", "read", "update", "delete"]
}

# lint:exempt VP-ACL-007 path="sys/policies/acl/ai-keys-auditor" reason="applying the generated policies is the deployer's purpose; never default, root, deployer or previewer (those are read-only below, written by vaultctl init)"
path "sys/policies/acl/ai-keys-auditor" {
  capabilities = ["create", "read", "update", "delete"]
}

# lint:exempt VP-ACL-007 path="sys/policies/acl/openai-creds" reason="applying the generated policies is the deployer's purpose; never default, root, deployer or previewer (those are read-only below, written by vaultctl init)"
path "sys/policies/acl/openai-creds" {
  capabilities = ["create", "read", "update", "delete"]
}

# lint:exempt VP-ACL-007 path="sys/policies/acl/svc-*" reason="applying the generated policies is the deployer's purpose; never default, root, deployer or previewer (those are read-only below, written by vaultctl init)"
path "sys/policies/acl/svc-*" {
  capabilities = ["create", "read", "update", "delete"]
}

# deployer-read: an object the provider refreshes but the deployer must not change (written by
# `vaultctl init`, adopted by the program) or that it only reads back.
path "sys/policies/acl/deployer" {
  capabilities = ["read"]
}

path "sys/policies/acl/previewer" {
  capabilities = ["read"]
}

# deployer-audit (HashiCorp Vault): audit devices are created by `vaultctl init` and adopted by the
# program; the provider only lists them on refresh, which Vault serves on the sudo-protected sys/audit.
# No sys/audit/<name> write: CI cannot add a device that ships the log elsewhere (CVE-2025-6000).
# lint:exempt VP-ACL-002 path="sys/audit" reason="Vault requires sudo to list audit devices (the provider's refresh of a vault.Audit); read only"
# lint:exempt VP-ACL-003 path="sys/audit" reason="read-only listing of audit devices; no device can be created or removed"
path "sys/audit" {
  capabilities = ["read", "sudo"]
}

# deployer-mount: enable and tune one secrets-engine mount this stack declares, never delete it. Enabling
# is an update (the endpoint has no existence check); the tune is limited to the fields the provider
# sends, so no audit_non_hmac_* key can make the audit log keep a value in clear.
# lint:exempt VP-ACL-003 path="sys/mounts/kv" path="sys/mounts/kv/tune" reason="enables and tunes only the mounts this stack declares (tune fields pinned); never deletes or remounts"
path "sys/mounts/kv" {
  capabilities = ["read", "update"]
}
path "sys/mounts/kv/tune" {
  capabilities = ["read", "update"]
  allowed_parameters = {
    "default_lease_ttl" = []
    "max_lease_ttl" = []
    "options" = []
    "description" = []
  }
}

# lint:exempt VP-ACL-003 path="sys/mounts/transit" path="sys/mounts/transit/tune" reason="enables and tunes only the mounts this stack declares (tune fields pinned); never deletes or remounts"
path "sys/mounts/transit" {
  capabilities = ["read", "update"]
}
path "sys/mounts/transit/tune" {
  capabilities = ["read", "update"]
  allowed_parameters = {
    "default_lease_ttl" = []
    "max_lease_ttl" = []
    "options" = []
    "description" = []
  }
}

# lint:exempt VP-ACL-003 path="sys/mounts/database" path="sys/mounts/database/tune" reason="enables and tunes only the mounts this stack declares (tune fields pinned); never deletes or remounts"
path "sys/mounts/database" {
  capabilities = ["read", "update"]
}
path "sys/mounts/database/tune" {
  capabilities = ["read", "update"]
  allowed_parameters = {
    "default_lease_ttl" = []
    "max_lease_ttl" = []
    "options" = []
    "description" = []
  }
}

# lint:exempt VP-ACL-003 path="sys/mounts/aws" path="sys/mounts/aws/tune" reason="enables and tunes only the mounts this stack declares (tune fields pinned); never deletes or remounts"
path "sys/mounts/aws" {
  capabilities = ["read", "update"]
}
path "sys/mounts/aws/tune" {
  capabilities = ["read", "update"]
  allowed_parameters = {
    "default_lease_ttl" = []
    "max_lease_ttl" = []
    "options" = []
    "description" = []
  }
}

# deployer-auth-kubernetes: enable the Kubernetes auth method, configure it with exactly the API host
# (and CA) of the stack config, and write the roles the catalog generates. Enabling needs sudo
# (sys/auth/* is root-protected) and is pinned to the kubernetes type; reads and tunes go through
# sys/mounts/auth/, as the provider does, without sudo.
# lint:exempt VP-ACL-002 path="sys/auth/kubernetes" reason="Vault requires sudo to enable an auth method; only this mount, type pinned to kubernetes"
# lint:exempt VP-ACL-005 path="sys/auth/kubernetes" path="auth/kubernetes/config" path="auth/kubernetes/role/*" reason="the deployer writes the generated Kubernetes roles (token_policies limited to generated names) and a config pinned to the stack's API host and CA"
# lint:exempt VP-ACL-003 path="sys/mounts/auth/kubernetes/tune" reason="reads this auth mount and tunes its lease TTLs and description only"
path "sys/auth/kubernetes" {
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
path "sys/mounts/auth/kubernetes" {
  capabilities = ["read"]
}
# The tune block's lists as the provider sends them: only the login's `role` may be kept in clear in
# the audit log (the JWT itself never), the other lists empty ([""]).
path "sys/mounts/auth/kubernetes/tune" {
  capabilities = ["read", "update"]
  allowed_parameters = {
    "default_lease_ttl" = []
    "max_lease_ttl" = []
    "options" = []
    "force_no_cache" = []
    "description" = []
    "audit_non_hmac_request_keys" = ["role", ["role"]]
    "audit_non_hmac_response_keys" = ["", [""]]
    "passthrough_request_headers" = ["", [""]]
    "allowed_response_headers" = ["", [""]]
  }
}
path "auth/kubernetes/config" {
  capabilities = ["read", "update"]
  allowed_parameters = {
    "kubernetes_host" = ["https://kubernetes.default.svc"]
    "kubernetes_ca_cert" = [""]
    "disable_local_ca_jwt" = [false]
    "disable_iss_validation" = []
    "use_annotations_as_alias_metadata" = []
  }
}
# Role fields: exactly those the provider sends (resource_kubernetes_auth_backend_role.go, auth_token.go);
# no "*", which would also let the legacy `policies` alias of token_policies through.
path "auth/kubernetes/role/*" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "token_policies" = ["kv-own-read", "openai-creds", "snapshot", "svc-ai-gateway", "svc-analytics", "svc-billing", "svc-support-bot", "token-self", ["openai-creds", "svc-ai-gateway", "token-self", "kv-own-read"], ["svc-billing", "token-self", "kv-own-read"], ["svc-support-bot", "token-self", "kv-own-read"], ["token-self", "snapshot"], ["token-self", "svc-analytics"]]
    "token_bound_cidrs" = []
    "token_explicit_max_ttl" = []
    "token_max_ttl" = []
    "token_no_default_policy" = []
    "token_period" = []
    "token_type" = []
    "token_ttl" = []
    "token_num_uses" = []
    "alias_metadata" = []
    "bound_service_account_names" = []
    "bound_service_account_namespaces" = []
    "bound_service_account_namespace_selector" = []
    "audience" = []
    "alias_name_source" = []
  }
}

# deployer-auth-jwt: the JWT mount, its issuer config and the deployer and previewer roles are written
# by `vaultctl init` and only read here; the deployer writes the ci-* roles of the catalog's services,
# with token_policies limited to generated names.
# lint:exempt VP-ACL-005 path="auth/jwt/role/ci-*" reason="the deployer writes the generated ci-* roles only; the issuer config and its own and the previewer's roles are read-only"
path "sys/mounts/auth/jwt" {
  capabilities = ["read"]
}
path "sys/mounts/auth/jwt/tune" {
  capabilities = ["read"]
}
path "auth/jwt/config" {
  capabilities = ["read"]
}
path "auth/jwt/role/deployer" {
  capabilities = ["read"]
}
path "auth/jwt/role/previewer" {
  capabilities = ["read"]
}
# Role fields: exactly those the provider sends (resource_jwt_auth_backend_role.go, auth_token.go); no
# "*", which would also let the legacy `policies` alias of token_policies through.
path "auth/jwt/role/ci-*" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "token_policies" = ["kv-own-read", "svc-ml-models-ci", "token-self", ["svc-ml-models-ci", "token-self", "kv-own-read"]]
    "token_bound_cidrs" = []
    "token_explicit_max_ttl" = []
    "token_max_ttl" = []
    "token_no_default_policy" = []
    "token_period" = []
    "token_type" = []
    "token_ttl" = []
    "token_num_uses" = []
    "alias_metadata" = []
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

# deployer-kv: the KV mount's settings only; the deployer never reads or writes secrets.
# lint:exempt VP-ACL-009 path="kv/config" reason="the deployer sets the mount's max_versions/cas_required; it has no access to secret data"
path "kv/config" {
  capabilities = ["read", "update"]
}

# deployer-transit: create keys (`+` is one segment: keys/<k>, never keys/<k>/trim or /rotate) and set
# their config, with export, plaintext backup and deletion pinned off. No export, backup, restore, trim
# or delete path is granted.
# lint:exempt VP-ACL-008 path="transit/keys/+" path="transit/keys/+/config" reason="the deployer creates every key the catalog declares, one segment under keys/"
# lint:exempt VP-ACL-010 path="transit/keys/+" path="transit/keys/+/config" reason="key creation and config with exportable, allow_plaintext_backup and deletion_allowed pinned to false; no export, backup, restore, trim or delete"
path "transit/keys/+" {
  capabilities = ["create", "read", "update"]
  allowed_parameters = {
    "type" = []
    "derived" = []
    "convergent_encryption" = []
    "auto_rotate_period" = []
    "key_size" = []
  }
}
path "transit/keys/+/config" {
  capabilities = ["update"]
  allowed_parameters = {
    "exportable" = [false]
    "allow_plaintext_backup" = [false]
    "deletion_allowed" = [false]
    "min_decryption_version" = []
    "min_encryption_version" = []
    # sic: the provider's create sends this misspelt key (resource_transit_secret_backend_key.go)
    "min_encryption_versoin" = []
    "auto_rotate_period" = []
  }
}

# deployer-database: the one connection (host, database, user and plugin pinned to the stack config, so
# it cannot be repointed to collect the rotated admin password), its roles, and the one-shot root
# rotation after setup.
# lint:exempt VP-ACL-008 path="database/roles/*" reason="the deployer manages every role the catalog declares (db_name pinned to the connection), so it spans the roles namespace"
# lint:exempt VP-ACL-009 path="database/config/app" path="database/roles/*" reason="engine configuration is the deployer's purpose; the connection is pinned by allowed_parameters"
path "database/config/app" {
  capabilities = ["create", "read", "update"]
  allowed_parameters = {
    "plugin_name" = ["postgresql-database-plugin"]
    "connection_url" = ["postgresql://{{username}}:{{password}}@10.40.0.5:5432/app?sslmode=verify-full"]
    "username" = ["vault_admin"]
    "password" = []
    "password_authentication" = ["scram-sha-256"]
    "disable_escaping" = [false]
    "verify_connection" = []
    "allowed_roles" = []
    "max_open_connections" = []
  }
}
path "database/roles/*" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "db_name" = ["app"]
    "*" = []
  }
}
# deployer-database-static-roles: the static roles the catalog declares (Vault rotates those users).
# lint:exempt VP-ACL-008 path="database/static-roles/*" reason="the static roles the catalog declares, db_name pinned to the connection"
# lint:exempt VP-ACL-009 path="database/static-roles/*" reason="the static roles the catalog declares, db_name pinned to the connection"
path "database/static-roles/*" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "db_name" = ["app"]
    "*" = []
  }
}
# deployer-rotate-root: the one-shot rotation of an engine's root credential after setup, so no person
# keeps knowing it.
# lint:exempt VP-ACL-009 path="database/rotate-root/app" reason="the one-shot rotation of the root credential after setup, so no person keeps knowing it"
path "database/rotate-root/app" {
  capabilities = ["update"]
}

# deployer-aws: root credentials (rotated right after, region pinned, no custom IAM/STS endpoint) and
# roles.
# lint:exempt VP-ACL-009 path="aws/config/root" reason="root credentials are written once (region pinned) and rotated immediately"
path "aws/config/root" {
  capabilities = ["create", "read", "update"]
  allowed_parameters = {
    "access_key" = []
    "secret_key" = []
    "region" = ["eu-west-1"]
  }
}
# deployer-rotate-root: the one-shot rotation of an engine's root credential after setup, so no person
# keeps knowing it.
# lint:exempt VP-ACL-009 path="aws/config/rotate-root" reason="the one-shot rotation of the root credential after setup, so no person keeps knowing it"
path "aws/config/rotate-root" {
  capabilities = ["update"]
}
# deployer-aws-roles: the AWS roles the catalog declares.
# lint:exempt VP-ACL-008 path="aws/roles/*" reason="the deployer manages every AWS role the catalog declares"
# lint:exempt VP-ACL-009 path="aws/roles/*" reason="the roles come from the catalog, reviewed as code"
path "aws/roles/*" {
  capabilities = ["create", "read", "update", "delete"]
}

# deployer-policy-write: one policy name (or a prefix only generated names use) the deployer writes.
# lint:exempt VP-ACL-007 path="sys/policies/acl/human-base" reason="applying the generated policies is the deployer's purpose; never default, root, deployer or previewer (those are read-only below, written by vaultctl init)"
path "sys/policies/acl/human-base" {
  capabilities = ["create", "read", "update", "delete"]
}

# lint:exempt VP-ACL-007 path="sys/policies/acl/human-operator" reason="applying the generated policies is the deployer's purpose; never default, root, deployer or previewer (those are read-only below, written by vaultctl init)"
path "sys/policies/acl/human-operator" {
  capabilities = ["create", "read", "update", "delete"]
}

# lint:exempt VP-ACL-007 path="sys/policies/acl/human-auditor" reason="applying the generated policies is the deployer's purpose; never default, root, deployer or previewer (those are read-only below, written by vaultctl init)"
path "sys/policies/acl/human-auditor" {
  capabilities = ["create", "read", "update", "delete"]
}

# lint:exempt VP-ACL-007 path="sys/policies/acl/human-security-responder" reason="applying the generated policies is the deployer's purpose; never default, root, deployer or previewer (those are read-only below, written by vaultctl init)"
path "sys/policies/acl/human-security-responder" {
  capabilities = ["create", "read", "update", "delete"]
}

# deployer-people: people's login (human_auth) as the provider writes it: the OIDC method pinned to the
# stack's IdP (discovery URL, client id, CA) and default role, the `person` role whose tokens carry
# human-base only, the external groups whose policies can only be the generated human-* names (an entity
# or group write attaching any other policy is the CVE-2024-9180 escalation), their aliases, the TOTP
# method (never its admin-generate/admin-destroy) and the login enforcement.
# lint:exempt VP-ACL-002 path="sys/auth/oidc" reason="Vault requires sudo to enable an auth method; only the people's mount, type pinned to oidc"
# lint:exempt VP-ACL-005 path="sys/auth/oidc" path="auth/oidc/config" path="auth/oidc/role/person" reason="the people's OIDC method with its IdP pinned to the stack config and the generated person role (token policies pinned to human-base)"
# lint:exempt VP-ACL-006 path="identity/group" path="identity/group/id/*" path="identity/group-alias" path="identity/group-alias/id/*" path="identity/mfa/method/totp" path="identity/mfa/method/totp/*" path="identity/mfa/login-enforcement/oidc-totp" reason="external groups whose policies are pinned to the generated human-* names, their aliases, the TOTP method without its enrolment endpoints (denied below), and the login enforcement"
path "sys/auth/oidc" {
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
path "sys/mounts/auth/oidc" {
  capabilities = ["read"]
}
path "sys/mounts/auth/oidc/tune" {
  capabilities = ["read"]
}
path "auth/oidc/config" {
  capabilities = ["create", "read", "update"]
  allowed_parameters = {
    "oidc_discovery_url" = ["https://login.acme.example/oauth2/vault-prod"]
    "oidc_discovery_ca_pem" = [""]
    "oidc_client_id" = ["vault-prod"]
    "oidc_client_secret" = []
    "default_role" = ["person"]
    "namespace_in_state" = []
  }
}
path "auth/oidc/role/person" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "token_policies" = ["human-base", ["human-base"]]
    "token_bound_cidrs" = []
    "token_explicit_max_ttl" = []
    "token_max_ttl" = []
    "token_no_default_policy" = []
    "token_period" = []
    "token_type" = []
    "token_ttl" = []
    "token_num_uses" = []
    "alias_metadata" = []
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
    "name" = ["human-auditors", "human-operators", "human-responders"]
    "policies" = ["ai-keys-rotator", "human-auditor", "human-operator", "human-security-responder", ["human-auditor"], ["human-operator", "ai-keys-rotator"], ["human-security-responder"]]
    "metadata" = []
  }
}
path "identity/group/id/*" {
  capabilities = ["read", "update", "delete"]
  allowed_parameters = {
    "name" = ["human-auditors", "human-operators", "human-responders"]
    "policies" = ["ai-keys-rotator", "human-auditor", "human-operator", "human-security-responder", ["human-auditor"], ["human-operator", "ai-keys-rotator"], ["human-security-responder"]]
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
    "issuer" = []
    "period" = []
    "key_size" = []
    "qr_size" = []
    "algorithm" = []
    "digits" = []
    "skew" = []
    "max_validation_attempts" = []
  }
}
path "identity/mfa/method/totp/*" {
  capabilities = ["read", "update", "delete"]
  allowed_parameters = {
    "issuer" = []
    "period" = []
    "key_size" = []
    "qr_size" = []
    "algorithm" = []
    "digits" = []
    "skew" = []
    "max_validation_attempts" = []
  }
}
# Enrolment hands out a person's TOTP secret, reset removes it: people's operations, never CI's.
path "identity/mfa/method/totp/admin-generate" {
  capabilities = ["deny"]
}
path "identity/mfa/method/totp/admin-destroy" {
  capabilities = ["deny"]
}
path "identity/mfa/login-enforcement/oidc-totp" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "mfa_method_ids" = []
    "auth_method_accessors" = []
    "auth_method_types" = []
    "identity_group_ids" = []
    "identity_entity_ids" = []
  }
}

# deployer-ai-key-metadata: one provider key's declared metadata (owner, rotation period, ticket), never
# its value: the metadata path only (it has an existence check: create, then update), `cas_required`
# pinned to true and `custom_metadata` free; `max_versions` and `delete_version_after` are not allowed
# parameters (the key keeps the mount's max_versions), and there is no delete (that would destroy every
# version).
# lint:exempt VP-ACL-011 path="kv/metadata/ai/providers/openai/ai-gateway" reason="the declared custom_metadata of the catalog's keys; cas_required pinned true, max_versions and delete_version_after not allowed, never delete"
path "kv/metadata/ai/providers/openai/ai-gateway" {
  capabilities = ["create", "update"]
  allowed_parameters = {
    "cas_required" = [true]
    "custom_metadata" = []
  }
}

# lint:exempt VP-ACL-011 path="kv/metadata/ai/providers/anthropic/ai-gateway" reason="the declared custom_metadata of the catalog's keys; cas_required pinned true, max_versions and delete_version_after not allowed, never delete"
path "kv/metadata/ai/providers/anthropic/ai-gateway" {
  capabilities = ["create", "update"]
  allowed_parameters = {
    "cas_required" = [true]
    "custom_metadata" = []
  }
}

# lint:exempt VP-ACL-011 path="kv/metadata/ai/providers/anthropic/support-bot" reason="the declared custom_metadata of the catalog's keys; cas_required pinned true, max_versions and delete_version_after not allowed, never delete"
path "kv/metadata/ai/providers/anthropic/support-bot" {
  capabilities = ["create", "update"]
  allowed_parameters = {
    "cas_required" = [true]
    "custom_metadata" = []
  }
}

# deployer-keys-auditor-role: the overdue report's JWT role. Its token_policies are pinned to exactly
# the auditor's, so whatever claims it is given, a login only ever reads provider keys' metadata.
# lint:exempt VP-ACL-005 path="auth/jwt/role/keys-auditor" reason="the overdue report's role; token_policies pinned to exactly ai-keys-auditor and token-self"
path "auth/jwt/role/keys-auditor" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "token_policies" = ["ai-keys-auditor", "token-self", ["ai-keys-auditor", "token-self"]]
    "token_bound_cidrs" = []
    "token_explicit_max_ttl" = []
    "token_max_ttl" = []
    "token_no_default_policy" = []
    "token_period" = []
    "token_type" = []
    "token_ttl" = []
    "token_num_uses" = []
    "alias_metadata" = []
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

# deployer-openai: the OpenAI secrets plugin. Registering a plugin runs its binary inside Vault, so the
# catalog entry is pinned to the configured sha256, command and version (a changed binary is refused);
# the mount is pinned to that plugin and version; the config to the stack's API endpoint (egress to
# OpenAI only, as the plugin's README suggests) and organization; the roles to the catalog's project ids.
# The admin key is written once and then rotated by Vault (config/rotate).
# lint:exempt VP-ACL-002 path="sys/plugins/catalog/secret/vault-plugin-secrets-openai" reason="Vault requires sudo to register (and read) a plugin; only this name, sha256, command and version pinned"
# lint:exempt VP-ACL-003 path="sys/plugins/catalog/secret/vault-plugin-secrets-openai" path="sys/mounts/openai" path="sys/mounts/openai/tune" reason="registers the one pinned plugin, enables its mount (type pinned) and tunes it (plugin_version pinned); never deletes"
# lint:exempt VP-ACL-009 path="openai/config" path="openai/config/rotate" reason="the plugin's config with API endpoint and organization pinned, and the one-shot admin-key rotation after setup"
path "sys/plugins/catalog/secret/vault-plugin-secrets-openai" {
  capabilities = ["read", "update", "sudo"]
  allowed_parameters = {
    "type" = ["secret"]
    "sha256" = ["a94f3778c98e08018969222001e0e35ec2f7393dc3b143d2620ea80dde6f14b1"]
    "command" = ["vault-plugin-secrets-openai"]
    "version" = ["v0.0.8"]
  }
}
path "sys/mounts/openai" {
  capabilities = ["read", "update"]
  allowed_parameters = {
    "type" = ["vault-plugin-secrets-openai"]
    "description" = []
    "config" = []
    "local" = []
    "seal_wrap" = []
    "external_entropy_access" = []
    "options" = []
  }
}
path "sys/mounts/openai/tune" {
  capabilities = ["read", "update"]
  allowed_parameters = {
    "default_lease_ttl" = []
    "max_lease_ttl" = []
    "options" = []
    "description" = []
    "plugin_version" = ["v0.0.8"]
  }
}
path "openai/config" {
  capabilities = ["create", "update"]
  allowed_parameters = {
    "admin_api_key" = []
    "admin_api_key_id" = []
    "organization_id" = ["org-acmeprod"]
    "api_endpoint" = ["https://api.openai.com/v1"]
    "rotation_period" = []
  }
}
path "openai/config/rotate" {
  capabilities = ["update"]
}

# deployer-openai-role: one service's role of the OpenAI plugin, in its catalog project only.
# lint:exempt VP-ACL-009 path="openai/roles/ai-gateway" reason="the catalog's roles, each pinned to its service's OpenAI project"
path "openai/roles/ai-gateway" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "project_id" = ["proj_aigatewayprod"]
    "ttl" = []
    "max_ttl" = []
    "service_account_name_template" = []
    "service_account_description" = []
  }
}
