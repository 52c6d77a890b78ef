# expect: VP-ACL-003
path "sys/leases/*" {
  capabilities = ["update"]
}
