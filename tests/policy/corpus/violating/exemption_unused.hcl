# expect: VP-EXEMPT-003
# lint:exempt VP-ACL-002 reason: stale, nothing here uses sudo
path "kv/data/app-a/*" {
  capabilities = ["read"]
}
