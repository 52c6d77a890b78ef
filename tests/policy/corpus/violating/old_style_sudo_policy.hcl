# expect: VP-ACL-002
path "secret/app-a/*" {
  policy = "sudo"
}
