# expect: VP-ACL-008
# Issuing through every PKI role.
path "pki/issue/*" {
  capabilities = ["update"]
}
