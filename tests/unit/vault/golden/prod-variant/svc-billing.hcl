# svc-billing: what service billing may use
# Generated from policies/acl/ by infra/vault/acl.py; edit the templates, not this text.
# kv-read: read one KV v2 secret (or the secrets directly under one folder) the catalog names.
path "kv/data/shared/config" {
  capabilities = ["read"]
}

# kv-read: read one KV v2 secret (or the secrets directly under one folder) the catalog names.
path "kv/data/shared/flags" {
  capabilities = ["read"]
}

# kv-share: billing reads one secret of service analytics, declared in services[billing].kv.shares_from.
# lint:share from="analytics" path="kv/data/apps/analytics/exports/key"
path "kv/data/apps/analytics/exports/key" {
  capabilities = ["read"]
}

# kv-share: billing reads one secret of service analytics, declared in services[billing].kv.shares_from.
# lint:share from="analytics" path="kv/data/apps/analytics/exports/salt"
path "kv/data/apps/analytics/exports/salt" {
  capabilities = ["read"]
}

# db-creds: dynamic credentials of exactly one database role; leases are renewed through token-self.
path "database/creds/readwrite" {
  capabilities = ["read"]
}

# transit-decrypt: decrypt with one key.
path "transit/decrypt/billing-pii" {
  capabilities = ["update"]
}

# transit-encrypt: encrypt with one key. Decrypt is a separate grant, so a writer of ciphertext
# (e.g. an ingest job) cannot read back what it wrote.
path "transit/encrypt/billing-pii" {
  capabilities = ["update"]
}
