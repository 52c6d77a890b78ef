# expect: VP-ACL-010
# Export hands out the key.
path "transit/export/encryption-key/app-a" {
  capabilities = ["read"]
}
