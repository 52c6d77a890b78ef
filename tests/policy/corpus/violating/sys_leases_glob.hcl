# expect: VP-ACL-003
# sys/leases/* includes revoke-prefix and revoke-force.
path "sys/leases/*" {
  capabilities = ["update"]
}
