# deployer-aws: root credentials (rotated right after), lease settings and roles.
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
