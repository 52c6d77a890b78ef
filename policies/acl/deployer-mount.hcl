# deployer-mount: create and tune one secrets-engine mount this stack declares (never delete it).
path "sys/mounts/${mount}" {
  capabilities = ["create", "read", "update"]
}
path "sys/mounts/${mount}/tune" {
  capabilities = ["read", "update"]
}
