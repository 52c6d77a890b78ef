# expect: VP-ACL-008
# Every transit key and operation.
path "transit/*" {
  capabilities = ["update"]
}
