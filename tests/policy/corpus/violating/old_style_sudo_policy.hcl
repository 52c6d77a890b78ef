# expect: VP-ACL-002
# Old-style policy = "sudo" grants sudo.
path "secret/app-a/*" {
  policy = "sudo"
}
