# expect: VP-ACL-010
# Key config can allow deletion or export.
path "transit/keys/app-a/config" {
  capabilities = ["update"]
}
