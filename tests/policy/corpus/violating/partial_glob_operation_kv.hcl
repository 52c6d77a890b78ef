# expect: VP-ACL-008
# A partial glob at the operation segment: data/, delete/, destroy/ of every service.
path "kv/d*" {
  capabilities = ["read"]
}
