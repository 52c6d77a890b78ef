# expect: VP-ACL-003
# A leading slash is stripped: this is sys/mounts.
path "/sys/mounts" {
  capabilities = ["update"]
}
