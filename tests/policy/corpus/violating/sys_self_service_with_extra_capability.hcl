# expect: VP-ACL-003
path "sys/capabilities-self" {
  capabilities = ["update", "delete"]
}
