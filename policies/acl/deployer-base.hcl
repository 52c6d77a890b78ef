# deployer-base: the CI identity that runs `pulumi up` for the Vault layer. Scoped to what this
# program declares; mounts are never deletable by it, so removing a mount from code cannot wipe
# its data without a person (break-glass) doing it on purpose.
path "sys/mounts" {
  capabilities = ["read"]
}
path "sys/auth" {
  capabilities = ["read"]
}
path "sys/policies/acl/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
path "identity/entity/name/svc-*" {
  capabilities = ["create", "read", "update", "delete"]
}
path "identity/entity/id/*" {
  capabilities = ["read", "update", "delete"]
}
path "identity/entity-alias" {
  capabilities = ["create", "update"]
}
path "identity/entity-alias/id/*" {
  capabilities = ["read", "update", "delete"]
}
path "sys/quotas/rate-limit/*" {
  capabilities = ["create", "read", "update", "delete"]
}
