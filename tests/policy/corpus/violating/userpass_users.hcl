# expect: VP-ACL-005
# Creating userpass users is creating logins.
path "auth/userpass/users/*" {
  capabilities = ["create"]
}
