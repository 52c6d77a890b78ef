# deployer-openai: the OpenAI secrets plugin. Registering a plugin runs its binary inside Vault, so the
# catalog entry is pinned to the configured sha256, command and version (a changed binary is refused);
# the mount is pinned to that plugin and version; the config to the stack's API endpoint (egress to
# OpenAI only, as the plugin's README suggests) and organization; the roles to the catalog's project ids.
# The admin key is written once and then rotated by Vault (config/rotate).
# lint:exempt VP-ACL-002 path="sys/plugins/catalog/secret/${plugin}" reason="Vault requires sudo to register (and read) a plugin; only this name, sha256, command and version pinned"
# lint:exempt VP-ACL-003 path="sys/plugins/catalog/secret/${plugin}" path="sys/mounts/${mount}" path="sys/mounts/${mount}/tune" reason="registers the one pinned plugin, enables its mount (type pinned) and tunes it (plugin_version pinned); never deletes"
# lint:exempt VP-ACL-009 path="${mount}/config" path="${mount}/config/rotate" reason="the plugin's config with API endpoint and organization pinned, and the one-shot admin-key rotation after setup"
path "sys/plugins/catalog/secret/${plugin}" {
  capabilities = ["read", "update", "sudo"]
  allowed_parameters = {
    "type" = ["secret"]
    "sha256" = ["${sha256}"]
    "command" = ["${command}"]
    "version" = ["${version}"]
  }
}
path "sys/mounts/${mount}" {
  capabilities = ["read", "update"]
  allowed_parameters = {
    "type" = ["${plugin}"]
    "description" = []
    "config" = []
    "local" = []
    "seal_wrap" = []
    "external_entropy_access" = []
    "options" = []
  }
}
path "sys/mounts/${mount}/tune" {
  capabilities = ["read", "update"]
  allowed_parameters = {
    "default_lease_ttl" = []
    "max_lease_ttl" = []
    "options" = []
    "description" = []
    "plugin_version" = ["${version}"]
  }
}
path "${mount}/config" {
  capabilities = ["create", "update"]
  allowed_parameters = {
    "admin_api_key" = []
    "admin_api_key_id" = []
    "organization_id" = ["${organization}"]
    "api_endpoint" = ["${endpoint}"]
    "rotation_period" = []
  }
}
path "${mount}/config/rotate" {
  capabilities = ["update"]
}
