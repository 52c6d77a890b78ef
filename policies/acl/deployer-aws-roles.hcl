# deployer-aws-roles: the AWS roles the catalog declares.
# lint:exempt VP-ACL-008 path="${aws_mount}/roles/*" reason="the deployer manages every AWS role the catalog declares"
# lint:exempt VP-ACL-009 path="${aws_mount}/roles/*" reason="the roles come from the catalog, reviewed as code"
path "${aws_mount}/roles/*" {
  capabilities = ["create", "read", "update", "delete"]
}
