# Encrypt/decrypt with one key, and reading that key's metadata.
path "transit/encrypt/app-a" {
  capabilities = ["update"]
}

path "transit/decrypt/app-a" {
  capabilities = ["update"]
}

path "transit/keys/app-a" {
  capabilities = ["read"]
}
