# expect: VP-ACL-003 VP-ACL-002
# Issue 12: raw storage added to the deployer "exempted" under a reason that says the opposite. The
# exemption names the mounts it means; the raw grant is not covered.
# lint:exempt VP-ACL-003 path="sys/mounts/kv" reason="the deployer tunes the mounts it declares; no seal, raw, rekey"
path "sys/mounts/kv" {
  capabilities = ["create", "read", "update"]
}

path "sys/raw/*" {
  capabilities = ["read", "sudo"]
}
