# deployer-audit (HashiCorp Vault): audit devices are created by `vaultctl init` and adopted by the
# program; the provider only lists them on refresh, which Vault serves on the sudo-protected sys/audit.
# No sys/audit/<name> write: CI cannot add a device that ships the log elsewhere (CVE-2025-6000).
# lint:exempt VP-ACL-002 path="sys/audit" reason="Vault requires sudo to list audit devices (the provider's refresh of a vault.Audit); read only"
# lint:exempt VP-ACL-003 path="sys/audit" reason="read-only listing of audit devices; no device can be created or removed"
path "sys/audit" {
  capabilities = ["read", "sudo"]
}
