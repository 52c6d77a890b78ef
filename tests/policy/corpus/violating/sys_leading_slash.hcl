# expect: VP-ACL-003
path "/sys/mounts" {
  capabilities = ["update"]
}
