# verifier: what `vaultctl verify` reads. Read-only views of the cluster; sudo only where Vault requires
# it for a read (listing audit devices and token accessors). Proving "no root token outstanding" needs
# every accessor's lookup; lookup-accessor is a read served over POST and returns no token.
# lint:exempt VP-ACL-002 reason: Vault requires sudo to list audit devices and token accessors; read/list only, nothing is written
# lint:exempt VP-ACL-003 reason: post-deploy verification reads raft membership, autopilot health, audit devices and mounts; read only, never seal, raw, rekey, generate-root or snapshot
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
