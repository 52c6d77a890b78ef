# kv-own-write: as kv-own-read, plus writing new versions. No delete, destroy or metadata writes:
# history stays recoverable (versions are pruned by the mount's max_versions, not by applications).
path "kv/data/apps/{{identity.entity.metadata.service}}/*" {
  capabilities = ["create", "update", "read"]
}
path "kv/metadata/apps/{{identity.entity.metadata.service}}/*" {
  capabilities = ["read", "list"]
}
