# expect: VP-ACL-009
# Generating a root CA.
path "pki/root/generate/internal" {
  capabilities = ["update"]
}
