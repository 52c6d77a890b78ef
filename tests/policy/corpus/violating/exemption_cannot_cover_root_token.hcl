# expect: VP-ACL-004 VP-EXEMPT-005
# Token creation with any policy (root included) is root token creation.
# lint:exempt VP-ACL-004 path="auth/token/create-orphan" reason="CI mints short tokens"
path "auth/token/create-orphan" {
  capabilities = ["update"]
}
