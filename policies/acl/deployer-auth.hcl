# deployer-auth: enable, configure and write roles of one auth method this stack declares. Enabling
# and tuning auth methods needs sudo in Vault.
# lint:exempt VP-ACL-002 path="sys/auth/${mount}" path="sys/auth/${mount}/tune" reason="Vault requires sudo to enable and tune auth methods; only the methods this stack declares"
# lint:exempt VP-ACL-005 path="sys/auth/${mount}" path="sys/auth/${mount}/tune" path="auth/${mount}/config" path="auth/${mount}/role/*" reason="the deployer writes the auth roles and configs generated from the services catalog"
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
