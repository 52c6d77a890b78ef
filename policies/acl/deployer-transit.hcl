# deployer-transit: create keys and set their config (rotation, deletion_allowed = false); no
# export, backup, restore or delete.
path "${transit_mount}/keys/*" {
  capabilities = ["create", "read", "update"]
}
path "${transit_mount}/keys/+/config" {
  capabilities = ["create", "update"]
}
