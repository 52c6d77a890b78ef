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
