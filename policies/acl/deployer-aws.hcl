# deployer-aws: root credentials (rotated right after, region pinned, no custom IAM/STS endpoint) and
# roles.
# lint:exempt VP-ACL-009 path="${aws_mount}/config/root" reason="root credentials are written once (region pinned) and rotated immediately"
path "${aws_mount}/config/root" {
  capabilities = ["create", "read", "update"]
  allowed_parameters = {
    "access_key" = []
    "secret_key" = []
    "region" = ["${region}"]
  }
}
${rotate_root}${roles}