# expect: VP-ACL-010
path "transit/export/encryption-key/app-a" {
  capabilities = ["read"]
}
