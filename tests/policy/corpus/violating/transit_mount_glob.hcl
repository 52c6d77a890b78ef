# expect: VP-ACL-008
path "transit/*" {
  capabilities = ["update"]
}
