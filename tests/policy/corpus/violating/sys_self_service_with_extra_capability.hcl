# expect: VP-ACL-003
# The self-service path with a capability the default policy does not grant.
path "sys/capabilities-self" {
  capabilities = ["update", "delete"]
}
