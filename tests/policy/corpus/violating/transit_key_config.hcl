# expect: VP-ACL-010
path "transit/keys/app-a/config" {
  capabilities = ["update"]
}
