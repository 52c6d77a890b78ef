# expect: VP-ACL-003
path "sys/generate-root/attempt" {
  capabilities = ["update"]
}
