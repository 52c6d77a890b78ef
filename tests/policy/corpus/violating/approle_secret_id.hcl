# expect: VP-ACL-005
# Minting an AppRole secret-id is logging in as that role.
path "auth/approle/role/app-a/secret-id" {
  capabilities = ["update"]
}
