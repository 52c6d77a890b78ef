# expect: VP-ACL-008
# A template where the operation goes, followed by a glob: every operation, every service.
path "kv/{{identity.entity.metadata.service}}/*" {
  capabilities = ["read"]
}
