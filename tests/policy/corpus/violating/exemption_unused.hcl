# expect: VP-EXEMPT-003
# lint:exempt VP-ACL-002 path="kv/data/app-a/*" reason="stale, nothing here uses sudo"
path "kv/data/app-a/*" {
  capabilities = ["read"]
}
