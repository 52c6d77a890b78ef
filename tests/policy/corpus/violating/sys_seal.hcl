# expect: VP-ACL-003
# Sealing stops the service.
path "sys/seal" {
  capabilities = ["update"]
}
