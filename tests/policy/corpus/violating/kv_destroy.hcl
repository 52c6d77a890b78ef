# expect: VP-ACL-011
# Destroy erases versions permanently.
path "kv/destroy/app-a/*" {
  capabilities = ["update"]
}
