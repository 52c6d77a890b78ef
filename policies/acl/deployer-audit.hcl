# deployer-audit: HashiCorp Vault configures audit devices through the API (OpenBao declares them in
# server HCL instead). Creating devices needs sudo; CVE-2025-6000 shows why only the deployer has it.
path "sys/audit" {
  capabilities = ["read", "sudo"]
}
path "sys/audit/*" {
  capabilities = ["create", "read", "update", "sudo"]
}
