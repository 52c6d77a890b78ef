# deployer-audit: HashiCorp Vault configures audit devices through the API (OpenBao declares them in
# server HCL instead). Creating devices needs sudo; CVE-2025-6000 shows why only the deployer has it.
# lint:exempt VP-ACL-003 path="sys/audit" path="sys/audit/*" reason="audit devices of HashiCorp Vault are declared in code and created by the deployer; it can neither delete nor disable one"
# lint:exempt VP-ACL-002 path="sys/audit" path="sys/audit/*" reason="Vault requires sudo to list and enable audit devices; create/read/update only, never delete (CVE-2025-6000)"
path "sys/audit" {
  capabilities = ["read", "sudo"]
}
path "sys/audit/*" {
  capabilities = ["create", "read", "update", "sudo"]
}
