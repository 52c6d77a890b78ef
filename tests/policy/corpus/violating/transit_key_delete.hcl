# expect: VP-ACL-010
path "transit/keys/app-a" {
  capabilities = ["read", "delete"]
}
