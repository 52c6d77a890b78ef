# human-auditor: read-only review of who may do what: policies, auth methods and their roles, mounts,
# identities, and secrets' metadata (versions, times). Never a secret's value, never a write.
# lint:exempt VP-ACL-003 reason: reads the mount table only (sys/mounts, GET); no sys/ write of any kind
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
