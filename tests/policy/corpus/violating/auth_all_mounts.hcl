# expect: VP-ACL-004 VP-ACL-005 VP-ACL-013
# Every auth mount: token creation, every method's roles and config, and other people's tokens by accessor.
path "auth/*" {
  capabilities = ["update"]
}
