# human-security-responder-engine: revoke every lease of one credential role at once (all database users
# of a leaked role), a root-protected endpoint, narrowed to exactly that role's prefix.
# lint:exempt VP-ACL-002 path="sys/leases/revoke-prefix/${prefix}" reason="Vault requires sudo for sys/leases/revoke-prefix; the path is one declared role's creds prefix, nothing wider"
# lint:exempt VP-ACL-003 path="sys/leases/revoke-prefix/${prefix}" reason="revoke-prefix of exactly one declared credential role (database or AWS), for an incident"
path "sys/leases/revoke-prefix/${prefix}" {
  capabilities = ["update", "sudo"]
}
