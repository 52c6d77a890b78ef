# expect: VP-ACL-003
# Enabling and tuning mounts.
path "sys/mounts/*" {
  capabilities = ["create", "update"]
}
