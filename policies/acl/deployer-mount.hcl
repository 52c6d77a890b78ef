# deployer-mount: enable and tune one secrets-engine mount this stack declares, never delete it. Enabling
# is an update (the endpoint has no existence check); the tune is limited to the fields the provider
# sends, so no audit_non_hmac_* key can make the audit log keep a value in clear.
# lint:exempt VP-ACL-003 path="sys/mounts/${mount}" path="sys/mounts/${mount}/tune" reason="enables and tunes only the mounts this stack declares (tune fields pinned); never deletes or remounts"
path "sys/mounts/${mount}" {
  capabilities = ["read", "update"]
}
path "sys/mounts/${mount}/tune" {
  capabilities = ["read", "update"]
  allowed_parameters = {
    "default_lease_ttl" = []
    "max_lease_ttl" = []
    "options" = []
    "description" = []
  }
}
