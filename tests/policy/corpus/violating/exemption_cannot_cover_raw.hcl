# expect: VP-ACL-003 VP-EXEMPT-005
# Raw storage is on the list no exemption may cover.
# lint:exempt VP-ACL-003 path="sys/raw/*" reason="storage forensics"
path "sys/raw/*" {
  capabilities = ["read"]
}
