# expect: VP-ACL-010
# A backup contains the key material.
path "transit/backup/app-a" {
  capabilities = ["read"]
}
