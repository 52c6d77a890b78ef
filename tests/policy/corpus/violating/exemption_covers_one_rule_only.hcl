# expect: VP-ACL-002
# lint:exempt VP-ACL-001 reason: break-glass policy, attached to no auth role
path "*" {
  capabilities = ["read", "sudo"]
}
