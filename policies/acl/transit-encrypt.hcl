# transit-encrypt: encrypt with one key. Decrypt is a separate grant, so a writer of ciphertext
# (e.g. an ingest job) cannot read back what it wrote.
path "${transit_mount}/encrypt/${key}" {
  capabilities = ["update"]
}
