# human-auditor: read-only review of the configuration
# Generated from policies/acl/ by infra/vault/acl.py; edit the templates, not this text.
# human-auditor: read-only review of who may do what: policies, auth methods and their roles, mounts,
# identities, and secrets' metadata (versions, times). Never a secret's value, never a write.
# lint:exempt VP-ACL-008 path="kv/metadata/apps/*" path="kv/metadata/ai/providers/*" reason="an auditor reviews every tenant: metadata (versions, times) only, never a value"
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
path "kv/metadata/apps/*" {
  capabilities = ["read", "list"]
}
path "kv/metadata/ai/providers/*" {
  capabilities = ["read", "list"]
}

# human-auditor-auth: the roles of one auth method this stack declares (who may log in as what), read only.
path "auth/kubernetes/role" {
  capabilities = ["list"]
}
path "auth/kubernetes/role/*" {
  capabilities = ["read"]
}

# human-auditor-auth: the roles of one auth method this stack declares (who may log in as what), read only.
path "auth/jwt/role" {
  capabilities = ["list"]
}
path "auth/jwt/role/*" {
  capabilities = ["read"]
}

# human-auditor-auth: the roles of one auth method this stack declares (who may log in as what), read only.
path "auth/oidc/role" {
  capabilities = ["list"]
}
path "auth/oidc/role/*" {
  capabilities = ["read"]
}
