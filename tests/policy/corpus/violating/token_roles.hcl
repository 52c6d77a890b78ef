# expect: VP-ACL-004
# Token roles decide which policies tokens carry.
path "auth/token/roles/ci" {
  capabilities = ["create", "update"]
}
