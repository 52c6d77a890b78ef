# lint:exempt VP-ACL-001 reason: break-glass admin, only via the documented runbook (docs/break-glass.md)
# lint:exempt VP-ACL-002 reason: break-glass needs root-protected endpoints (revoke-force, raft remove-peer)
path "*" {
  capabilities = ["create", "read", "update", "patch", "delete", "list", "sudo"]
}
