# expect: VP-ACL-007 VP-EXEMPT-005
# A policy that may rewrite `default` (every token's policy) is self-escalation; no exemption covers it.
# lint:exempt VP-ACL-007 path="sys/policies/acl/*" reason="applies every generated policy"
path "sys/policies/acl/*" {
  capabilities = ["create", "update"]
}
