# expect: VP-EXEMPT-003
# A stale exemption would hide the next sudo grant.
# lint:exempt VP-ACL-002 path="kv/data/app-a/*" reason="stale, nothing here uses sudo"
path "kv/data/app-a/*" {
  capabilities = ["read"]
}
