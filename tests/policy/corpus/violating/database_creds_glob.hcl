# expect: VP-ACL-008
# Every database role's credentials.
path "database/creds/*" {
  capabilities = ["read"]
}
