# previewer-audit (HashiCorp Vault): refreshing a vault.Audit lists the audit devices, which Vault serves
# on the sudo-protected sys/audit; read only, no device can be created or removed.
# lint:exempt VP-ACL-003 path="sys/audit" reason="read-only listing of audit devices (the provider's refresh of a vault.Audit); nothing is written"
# lint:exempt VP-ACL-002 path="sys/audit" reason="Vault requires sudo to list audit devices (the provider's refresh of a vault.Audit); read only"
path "sys/audit" {
  capabilities = ["read", "sudo"]
}
