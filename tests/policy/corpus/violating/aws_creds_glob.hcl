# expect: VP-ACL-008
# Every AWS role's credentials.
path "aws/creds/*" {
  capabilities = ["read"]
}
