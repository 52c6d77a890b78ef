# expect: VP-ACL-009
path "aws/config/root" {
  capabilities = ["update"]
}
