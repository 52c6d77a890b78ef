# expect: VP-ACL-007
path "sys/policy/app-a" {
  capabilities = ["update"]
}
