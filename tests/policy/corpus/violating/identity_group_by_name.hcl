# expect: VP-ACL-006
# Group writes attach policies to members.
path "identity/group/name/admins" {
  capabilities = ["update"]
}
