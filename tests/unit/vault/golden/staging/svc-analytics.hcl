# svc-analytics: what service analytics may use
# Generated from policies/acl/ by infra/vault/acl.py; edit the templates, not this text.
# db-creds: dynamic credentials of exactly one database role; leases are renewed through token-self.
path "database/creds/readonly" {
  capabilities = ["read"]
}

# aws-creds: credentials of exactly one AWS role (`creds` for iam_user, `sts` for assumed_role).
path "aws/creds/analytics-s3-read" {
  capabilities = ["read"]
}

# transit-encrypt: encrypt with one key. Decrypt is a separate grant, so a writer of ciphertext
# (e.g. an ingest job) cannot read back what it wrote.
path "transit/encrypt/analytics-events" {
  capabilities = ["update"]
}
