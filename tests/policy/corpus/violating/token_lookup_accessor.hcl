# expect: VP-ACL-013
# Looks up anyone's token by accessor: its policies, metadata, entity.
path "auth/token/lookup-accessor" {
  capabilities = ["update"]
}
