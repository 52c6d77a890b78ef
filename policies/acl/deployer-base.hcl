# deployer-base: the CI identity that runs `pulumi up` for the Vault layer. Scoped to what this
# program declares; mounts are never deletable by it, so removing a mount from code cannot wipe
# its data without a person (break-glass) doing it on purpose.
# lint:exempt VP-ACL-003 path="sys/quotas/rate-limit/*" reason="the deployer writes the rate-limit quotas this program declares; no seal, raw, rekey, generate-root, storage or server config endpoints"
# lint:exempt VP-ACL-006 path="identity/entity/name/svc-*" path="identity/entity/id/*" path="identity/entity-alias" path="identity/entity-alias/id/*" reason="it creates the per-service entities (names limited to svc-*) whose metadata scopes the kv-own policies; no group writes"
# lint:exempt VP-ACL-007 path="sys/policies/acl/*" reason="applying the generated policies is the deployer's purpose; its JWT role is bound to this repository's protected deploy environment (hashicorp/vault#6945 is why no other identity can)"
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
