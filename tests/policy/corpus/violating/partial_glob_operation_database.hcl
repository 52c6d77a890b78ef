# expect: VP-ACL-008
# `c*` is creds/ and config/ of every role and connection.
path "database/c*" {
  capabilities = ["read"]
}
