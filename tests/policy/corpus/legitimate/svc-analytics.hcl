# Service analytics reads billing's summary through a declared share (rendered from kv.shares_from).
# lint:share from="billing" path="kv/data/apps/billing/invoices/summary"
path "kv/data/apps/billing/invoices/summary" {
  capabilities = ["read"]
}

path "kv/data/apps/analytics/*" {
  capabilities = ["read"]
}
