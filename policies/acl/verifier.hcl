# verifier: what `vaultctl verify` reads. Read-only views of the cluster; sudo only where Vault requires
# it for a read (listing audit devices and token accessors). Proving "no root token outstanding" needs
# every accessor's lookup; lookup-accessor is a read served over POST and returns no token.
# lint:exempt VP-ACL-002 path="sys/audit" path="auth/token/accessors" reason="Vault requires sudo to list audit devices and token accessors; read/list only, nothing is written"
# lint:exempt VP-ACL-003 path="sys/storage/raft/configuration" path="sys/storage/raft/autopilot/state" path="sys/audit" reason="post-deploy verification reads raft membership, autopilot health and audit devices; read only, never seal, raw, rekey, generate-root or snapshot"
# lint:exempt VP-ACL-013 path="auth/token/accessors" path="auth/token/lookup-accessor" reason="proving no root token is outstanding needs every accessor's lookup; lookup returns no token and revokes nothing"
path "sys/storage/raft/configuration" {
  capabilities = ["read"]
}
path "sys/storage/raft/autopilot/state" {
  capabilities = ["read"]
}
path "sys/audit" {
  capabilities = ["read", "sudo"]
}
path "sys/mounts" {
  capabilities = ["read"]
}
path "sys/auth" {
  capabilities = ["read"]
}
path "auth/token/accessors" {
  capabilities = ["list", "sudo"]
}
path "auth/token/lookup-accessor" {
  capabilities = ["update"]
}
