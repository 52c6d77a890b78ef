# expect: VP-ACL-014
# The policy of service reporting (named svc-reporting) reads billing's secret without a declared share.
path "kv/data/apps/billing/invoices/summary" {
  capabilities = ["read"]
}
