path "pki_int/issue/app-a" {
  capabilities = ["update"]
}
