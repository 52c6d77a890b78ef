# expect: VP-ACL-004
# Token creation inside namespace ns1.
path "ns1/auth/token/create" {
  capabilities = ["update"]
}
