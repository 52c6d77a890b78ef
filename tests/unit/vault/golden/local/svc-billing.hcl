# svc-billing: what service billing may use
# Generated from policies/acl/ by infra/vault/acl.py; edit the templates, not this text.
# db-creds: dynamic credentials of exactly one database role; leases are renewed through token-self.
path "database/creds/readwrite" {
  capabilities = ["read"]
}

# transit-encrypt: encrypt with one key. Decrypt is a separate grant, so a writer of ciphertext
# (e.g. an ingest job) cannot read back what it wrote.
path "transit/encrypt/billing-pii" {
  capabilities = ["update"]
}

# transit-decrypt: decrypt with one key.
path "transit/decrypt/billing-pii" {
  capabilities = ["update"]
}
