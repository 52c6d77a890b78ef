# expect: VP-ACL-007
# The legacy policy endpoint writes policies too.
path "sys/policy/app-a" {
  capabilities = ["update"]
}
