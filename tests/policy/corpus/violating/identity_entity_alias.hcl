# expect: VP-ACL-006
path "identity/entity-alias" {
  capabilities = ["create"]
}
