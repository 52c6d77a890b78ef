# expect: VP-ACL-008
path "pki/issue/*" {
  capabilities = ["update"]
}
