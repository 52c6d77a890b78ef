# expect: VP-ACL-010
# Restore replaces a key with the caller's.
path "transit/restore/app-a" {
  capabilities = ["update"]
}
