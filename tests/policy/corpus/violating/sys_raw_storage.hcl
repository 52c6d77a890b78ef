# expect: VP-ACL-003
path "sys/raw/*" {
  capabilities = ["read"]
}
