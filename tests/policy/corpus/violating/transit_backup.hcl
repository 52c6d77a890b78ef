# expect: VP-ACL-010
path "transit/backup/app-a" {
  capabilities = ["read"]
}
