# kv-own-write: as kv-own-read, plus writing new versions. No delete, destroy or metadata writes:
# history stays recoverable (versions are pruned by the mount's max_versions, not by applications).
path "${kv_mount}/data/apps/{{identity.entity.metadata.service}}/*" {
  capabilities = ["create", "update", "read"]
}
path "${kv_mount}/metadata/apps/{{identity.entity.metadata.service}}/*" {
  capabilities = ["read", "list"]
}
