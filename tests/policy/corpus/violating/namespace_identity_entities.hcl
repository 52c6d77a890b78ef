# expect: VP-ACL-006
# Entity writes inside namespace ns1 attach policies there.
path "ns1/identity/entity/id/*" {
  capabilities = ["update"]
}
