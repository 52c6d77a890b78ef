# deployer-audit: HashiCorp Vault configures audit devices through the API (OpenBao declares them in
# server HCL instead). Creating devices needs sudo; CVE-2025-6000 shows why only the deployer has it.
# lint:exempt VP-ACL-002 reason: Vault requires sudo to enable audit devices; create/read/update only, never delete (CVE-2025-6000)
path "sys/audit" {
  capabilities = ["read", "sudo"]
}
path "sys/audit/*" {
  capabilities = ["create", "read", "update", "sudo"]
}
