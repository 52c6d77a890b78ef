# expect: VP-ACL-007
# A namespace prefix does not make a policy write harmless.
path "ns1/sys/policies/acl/*" {
  capabilities = ["create", "update"]
}
