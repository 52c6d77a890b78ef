# expect: VP-ACL-001
# A template where the mount goes can be any mount, sys/ included.
path "{{identity.entity.metadata.service}}/data/config" {
  capabilities = ["read"]
}
