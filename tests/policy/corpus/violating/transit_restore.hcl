# expect: VP-ACL-010
path "transit/restore/app-a" {
  capabilities = ["update"]
}
