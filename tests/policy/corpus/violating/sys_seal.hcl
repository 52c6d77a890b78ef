# expect: VP-ACL-003
path "sys/seal" {
  capabilities = ["update"]
}
