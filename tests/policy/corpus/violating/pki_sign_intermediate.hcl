# expect: VP-ACL-012
# Signs a subordinate CA certificate: the holder becomes a CA.
path "pki/issuer/default/sign-intermediate" {
  capabilities = ["update"]
}
