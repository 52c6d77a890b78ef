# expect: VP-ACL-010
# Deleting the key makes its ciphertext unreadable.
path "transit/keys/app-a" {
  capabilities = ["read", "delete"]
}
