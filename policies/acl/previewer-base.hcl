# previewer-base: the read-only CI identity of pull-request previews and drift detection (`pulumi
# preview`, `pulumi refresh`). Every block is a read the Terraform Vault provider's Read functions make for
# a resource type this program declares (infra/local/vault_resources.py names them); nothing is
# writable. A previewer token that leaks shows the configuration, never a secret.
# lint:exempt VP-ACL-003 path="sys/quotas/rate-limit/*" reason="read-only views of the objects the program declares (mounts, auth tunes, quotas); no sys/ write of any kind"
#
# The provider's start-up looks its token up (internal/provider/meta.go; skip_child_token is set).
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
# Lets a job check its own token's reach before it runs (a read served over POST; Vault's default
# policy grants it too).
path "sys/capabilities-self" {
  capabilities = ["update"]
}
path "identity/entity/id/*" {
  capabilities = ["read"]
}
path "identity/entity-alias/id/*" {
  capabilities = ["read"]
}
path "sys/quotas/rate-limit/*" {
  capabilities = ["read"]
}
