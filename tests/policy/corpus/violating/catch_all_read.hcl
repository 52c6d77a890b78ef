# expect: VP-ACL-001
# `*` is every path, sys/ included.
path "*" {
  capabilities = ["read"]
}
