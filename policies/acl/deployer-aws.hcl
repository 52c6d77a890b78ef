# deployer-aws: root credentials (rotated right after, region pinned, no custom IAM/STS endpoint) and
# roles.
# lint:exempt VP-ACL-008 reason: the deployer manages every AWS role the catalog declares
# lint:exempt VP-ACL-009 reason: root credentials are written once and rotated immediately; roles come from the catalog
path "${aws_mount}/config/root" {
  capabilities = ["create", "read", "update"]
  allowed_parameters = {
    "access_key" = []
    "secret_key" = []
    "region" = ["${region}"]
  }
}
${rotate_root}${roles}