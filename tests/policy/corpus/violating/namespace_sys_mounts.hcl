# expect: VP-ACL-003
# Mount management in namespace ns1.
path "ns1/sys/mounts/*" {
  capabilities = ["create", "update"]
}
