# expect: VP-ACL-009
# Setting the intermediate replaces the CA.
path "pki_int/intermediate/set-signed" {
  capabilities = ["update"]
}
