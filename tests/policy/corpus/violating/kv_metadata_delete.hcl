# expect: VP-ACL-011
# Metadata delete erases every version.
path "kv/metadata/app-a/*" {
  capabilities = ["read", "list", "delete"]
}
