# expect: VP-ACL-008
path "secret/*" {
  capabilities = ["read"]
}
