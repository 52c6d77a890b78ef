# deployer-transit: create keys and set their config (rotation, deletion_allowed = false); no
# export, backup, restore or delete.
# lint:exempt VP-ACL-008 path="${transit_mount}/keys/*" reason="the deployer creates every key the catalog declares, so it spans the keys/ namespace"
# lint:exempt VP-ACL-010 path="${transit_mount}/keys/*" reason="key creation and config (rotation, deletion_allowed=false) only; no export, backup, restore or delete"
path "${transit_mount}/keys/*" {
  capabilities = ["create", "read", "update"]
}
path "${transit_mount}/keys/+/config" {
  capabilities = ["create", "update"]
}
