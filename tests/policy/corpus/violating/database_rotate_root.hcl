# expect: VP-ACL-009
# Rotating the root credential locks the deployer out.
path "database/rotate-root/postgres" {
  capabilities = ["update"]
}
