# expect: VP-ACL-004 VP-ACL-013
# The whole token mount: create tokens, and look up or revoke anyone's by accessor.
path "auth/token/*" {
  capabilities = ["update"]
}
