# expect: VP-ACL-004 VP-ACL-005
path "auth/*" {
  capabilities = ["update"]
}
