# expect: VP-ACL-009
# The AWS engine's root credentials.
path "aws/config/root" {
  capabilities = ["update"]
}
