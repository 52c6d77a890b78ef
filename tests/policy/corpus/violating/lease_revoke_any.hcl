# expect: VP-ACL-003
# Revoking any lease (every service's database credentials) is not self-service.
path "sys/leases/revoke" {
  capabilities = ["update"]
}
