# previewer: the read-only CI identity of previews and drift detection
# Generated from policies/acl/ by infra/vault/acl.py; edit the templates, not this text.
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

# previewer-read: one path the provider's Read functions read.
path "sys/policies/acl/kv-own-read" {
  capabilities = ["read"]
}

path "sys/policies/acl/kv-own-write" {
  capabilities = ["read"]
}

path "sys/policies/acl/token-self" {
  capabilities = ["read"]
}

path "sys/policies/acl/snapshot" {
  capabilities = ["read"]
}

path "sys/policies/acl/deployer" {
  capabilities = ["read"]
}

path "sys/policies/acl/previewer" {
  capabilities = ["read"]
}

path "sys/policies/acl/svc-*" {
  capabilities = ["read"]
}

path "sys/mounts/kv" {
  capabilities = ["read"]
}

path "sys/mounts/transit" {
  capabilities = ["read"]
}

path "sys/mounts/auth/kubernetes" {
  capabilities = ["read"]
}

path "sys/mounts/auth/kubernetes/tune" {
  capabilities = ["read"]
}

path "auth/kubernetes/config" {
  capabilities = ["read"]
}

path "auth/kubernetes/role/+" {
  capabilities = ["read"]
}

path "sys/mounts/auth/jwt" {
  capabilities = ["read"]
}

path "sys/mounts/auth/jwt/tune" {
  capabilities = ["read"]
}

path "auth/jwt/config" {
  capabilities = ["read"]
}

path "auth/jwt/role/+" {
  capabilities = ["read"]
}

path "kv/config" {
  capabilities = ["read"]
}

path "sys/policies/acl/human-base" {
  capabilities = ["read"]
}

path "sys/policies/acl/human-operator" {
  capabilities = ["read"]
}

path "sys/policies/acl/human-auditor" {
  capabilities = ["read"]
}

path "sys/policies/acl/human-security-responder" {
  capabilities = ["read"]
}

path "sys/mounts/auth/oidc" {
  capabilities = ["read"]
}

path "sys/mounts/auth/oidc/tune" {
  capabilities = ["read"]
}

path "auth/oidc/config" {
  capabilities = ["read"]
}

path "auth/oidc/role/+" {
  capabilities = ["read"]
}

path "identity/group/id/+" {
  capabilities = ["read"]
}

path "identity/group-alias/id/+" {
  capabilities = ["read"]
}

path "identity/mfa/method/totp/+" {
  capabilities = ["read"]
}

path "identity/mfa/login-enforcement/oidc-totp" {
  capabilities = ["read"]
}

path "sys/policies/acl/ai-keys-rotator" {
  capabilities = ["read"]
}

path "sys/policies/acl/ai-keys-auditor" {
  capabilities = ["read"]
}

# previewer-read-definitions: the definitions of every key or role on one engine mount (never credentials
# or key material), which a refresh of the declared keys and roles reads.
# lint:exempt VP-ACL-008 path="transit/keys/+" reason="reads key and role definitions, never credentials: a refresh reads every declared one"
path "transit/keys/+" {
  capabilities = ["read"]
}

# previewer-audit (HashiCorp Vault): refreshing a vault.Audit lists the audit devices, which Vault serves
# on the sudo-protected sys/audit; read only, no device can be created or removed.
# lint:exempt VP-ACL-003 path="sys/audit" reason="read-only listing of audit devices (the provider's refresh of a vault.Audit); nothing is written"
# lint:exempt VP-ACL-002 path="sys/audit" reason="Vault requires sudo to list audit devices (the provider's refresh of a vault.Audit); read only"
path "sys/audit" {
  capabilities = ["read", "sudo"]
}
