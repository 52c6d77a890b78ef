# deployer-auth: enable, configure and write roles of one auth method this stack declares. Enabling
# and tuning auth methods needs sudo in Vault.
path "sys/auth/${mount}" {
  capabilities = ["create", "read", "update", "sudo"]
}
path "sys/auth/${mount}/tune" {
  capabilities = ["read", "update", "sudo"]
}
path "auth/${mount}/config" {
  capabilities = ["create", "read", "update"]
}
path "auth/${mount}/role/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
