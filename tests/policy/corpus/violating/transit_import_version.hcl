# expect: VP-ACL-010
# import_version replaces key material with the caller's own.
path "transit/keys/app-a/import_version" {
  capabilities = ["update"]
}
