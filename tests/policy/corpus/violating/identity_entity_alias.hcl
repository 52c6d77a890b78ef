# expect: VP-ACL-006
# Aliases decide which login becomes which entity.
path "identity/entity-alias" {
  capabilities = ["create"]
}
