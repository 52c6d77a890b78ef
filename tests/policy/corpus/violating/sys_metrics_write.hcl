# expect: VP-ACL-003
# Reads of status endpoints are fine; anything else on them is not self-service.
path "sys/mounts" {
  capabilities = ["read", "update"]
}
