# expect: VP-ACL-001 VP-ACL-002 VP-EXEMPT-005
# A `*` grant reaches raw storage, seal, generate-root and rekey: no exemption may cover it, whatever the
# reason says. Break-glass uses the root token from docs/break-glass.md, not a policy.
# lint:exempt VP-ACL-001 path="*" reason="break-glass admin, only via the documented runbook"
# lint:exempt VP-ACL-002 path="*" reason="break-glass needs root-protected endpoints"
path "*" {
  capabilities = ["create", "read", "update", "patch", "delete", "list", "sudo"]
}
