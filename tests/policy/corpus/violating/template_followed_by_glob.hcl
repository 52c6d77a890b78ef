# expect: VP-ACL-008
# `{{...}}*` also matches every service whose name starts with the caller's (billing -> billing-admin).
path "kv/data/apps/{{identity.entity.metadata.service}}*" {
  capabilities = ["read"]
}
