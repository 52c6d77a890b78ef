# snapshot: the scheduled backup job reads a Raft snapshot and nothing else.
# lint:exempt VP-ACL-003 path="sys/storage/raft/snapshot" reason="the backup job must read sys/storage/raft/snapshot; read only, 15-minute tokens, bound to the vault-snapshot service account"
path "sys/storage/raft/snapshot" {
  capabilities = ["read"]
}
