# expect: VP-ACL-011
path "kv/destroy/app-a/*" {
  capabilities = ["update"]
}
