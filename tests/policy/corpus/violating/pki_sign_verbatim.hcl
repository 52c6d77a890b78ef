# expect: VP-ACL-012
# sign-verbatim signs any CSR, ignoring the role's allowed domains.
path "pki/sign-verbatim" {
  capabilities = ["update"]
}
