# Issuing through one PKI role keeps the role's constraints.
path "pki_int/issue/app-a" {
  capabilities = ["update"]
}
