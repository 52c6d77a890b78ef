# expect: VP-ACL-008
# A deny on one scope leaves every other scope readable.
path "kv/data/*" {
  capabilities = ["read"]
}

path "kv/data/payments/*" {
  capabilities = ["deny"]
}
