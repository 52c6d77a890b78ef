# expect: VP-ACL-003
# Raw storage reads every secret, encrypted or not.
path "sys/raw/*" {
  capabilities = ["read"]
}
