# expect: VP-ACL-008
# A glob over the per-application mounts themselves reads every application's mount.
path "secret-*" {
  capabilities = ["read"]
}
