# deployer-mount: create and tune one secrets-engine mount this stack declares (never delete it).
# lint:exempt VP-ACL-003 path="sys/mounts/${mount}" path="sys/mounts/${mount}/tune" reason="creates and tunes only the mounts this stack declares; no delete, no remount"
path "sys/mounts/${mount}" {
  capabilities = ["create", "read", "update"]
}
path "sys/mounts/${mount}/tune" {
  capabilities = ["read", "update"]
}
