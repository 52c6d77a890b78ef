# expect: VP-ACL-008
path "database/creds/*" {
  capabilities = ["read"]
}
