# deployer-aws-roles: the AWS roles the catalog declares.
path "${aws_mount}/roles/*" {
  capabilities = ["create", "read", "update", "delete"]
}
