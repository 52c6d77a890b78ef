# expect: VP-ACL-006
# CVE-2024-9180: entity writes attach policies.
path "identity/entity/*" {
  capabilities = ["update"]
}
