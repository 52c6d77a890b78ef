# human-auditor: read-only review of who may do what: policies, auth methods and their roles, mounts,
# identities, and secrets' metadata (versions, times). Never a secret's value, never a write.
# lint:exempt VP-ACL-008 path="${kv_mount}/metadata/apps/*" path="${kv_mount}/metadata/ai/providers/*" reason="an auditor reviews every tenant: metadata (versions, times) only, never a value"
path "sys/policies/acl" {
  capabilities = ["list"]
}
path "sys/policies/acl/*" {
  capabilities = ["read"]
}
path "sys/auth" {
  capabilities = ["read"]
}
path "sys/mounts" {
  capabilities = ["read"]
}
path "identity/entity/id" {
  capabilities = ["list"]
}
path "identity/entity/id/*" {
  capabilities = ["read"]
}
path "identity/group/id" {
  capabilities = ["list"]
}
path "identity/group/id/*" {
  capabilities = ["read"]
}
path "${kv_mount}/metadata/apps/*" {
  capabilities = ["read", "list"]
}
path "${kv_mount}/metadata/ai/providers/*" {
  capabilities = ["read", "list"]
}
