# expect: VP-EXEMPT-004 VP-ACL-003
# The old whole-policy form exempts nothing: an exemption must name the paths it covers.
# lint:exempt VP-ACL-003 reason: the deployer manages mounts
path "sys/mounts/*" {
  capabilities = ["create", "update"]
}
