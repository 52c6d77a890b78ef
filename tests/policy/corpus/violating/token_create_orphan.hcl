# expect: VP-ACL-004
# Orphan tokens outlive their parent.
path "auth/token/create-orphan" {
  capabilities = ["update"]
}
