# expect: VP-ACL-007
# Valid HCL1 (the server reads it); an HCL2 parser calls it unparsable.
path "sys/policies/acl/*"
{
  capabilities = ["create", "update"]
}
