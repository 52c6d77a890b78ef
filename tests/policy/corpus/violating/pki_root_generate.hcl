# expect: VP-ACL-009
path "pki/root/generate/internal" {
  capabilities = ["update"]
}
