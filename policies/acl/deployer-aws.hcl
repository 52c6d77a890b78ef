# deployer-aws: root credentials (rotated right after), lease settings and roles.
# lint:exempt VP-ACL-008 path="${aws_mount}/roles/*" reason="the deployer manages every AWS role the catalog declares"
# lint:exempt VP-ACL-009 path="${aws_mount}/config/*" path="${aws_mount}/roles/*" reason="root credentials are written once and rotated immediately; roles come from the catalog"
path "${aws_mount}/config/root" {
  capabilities = ["create", "read", "update"]
}
path "${aws_mount}/config/lease" {
  capabilities = ["create", "read", "update"]
}
path "${aws_mount}/config/rotate-root" {
  capabilities = ["update"]
}
path "${aws_mount}/roles/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
