# expect: VP-ACL-008
path "aws/creds/*" {
  capabilities = ["read"]
}
