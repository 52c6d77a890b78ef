# expect: VP-ACL-001
# `+/*` is every mount.
path "+/*" {
  capabilities = ["update"]
}
