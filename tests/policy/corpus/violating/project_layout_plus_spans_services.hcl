# expect: VP-ACL-008
# Every service's `config` secret: the `+` sits at the service segment the stack config defines.
path "kv/data/apps/+/config" {
  capabilities = ["read"]
}
