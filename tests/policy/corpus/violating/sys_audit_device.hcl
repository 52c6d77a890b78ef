# expect: VP-ACL-003
# CVE-2025-6000: audit devices created through the API.
path "sys/audit/file" {
  capabilities = ["create", "update"]
}
