# expect: VP-ACL-009
path "pki_int/intermediate/set-signed" {
  capabilities = ["update"]
}
