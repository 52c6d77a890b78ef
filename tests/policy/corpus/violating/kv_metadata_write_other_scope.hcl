# expect: VP-ACL-008 VP-ACL-011
# Metadata writes on every service: delete_version_after=1s erases their history.
path "kv/metadata/apps/*" {
  capabilities = ["create", "update"]
}
