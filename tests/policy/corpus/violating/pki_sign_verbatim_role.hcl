# expect: VP-ACL-012
# Even through a role, sign-verbatim keeps the CSR's names.
path "pki_int/sign-verbatim/app-a" {
  capabilities = ["update"]
}
