# expect: VP-ACL-004
# HCL1 appends repeated capabilities attributes: this grants update (token creation), not only read.
path "auth/token/create" {
  capabilities = ["update"]
  capabilities = ["read"]
}
