# expect: VP-ACL-003
# generate-root mints a root token.
path "sys/generate-root/attempt" {
  capabilities = ["update"]
}
