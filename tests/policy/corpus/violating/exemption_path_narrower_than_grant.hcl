# expect: VP-ACL-007 VP-EXEMPT-003
# The exemption covers the generated service policies; the grant reaches every policy, so it stands.
# lint:exempt VP-ACL-007 path="sys/policies/acl/svc-*" reason="the deployer applies the generated service policies"
path "sys/policies/acl/*" {
  capabilities = ["create", "update"]
}
