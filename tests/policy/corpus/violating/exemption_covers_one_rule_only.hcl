# expect: VP-ACL-002
# An exemption names one rule: the sudo on the same path is still a violation.
# lint:exempt VP-ACL-008 path="kv/data/*" reason="the audit reader sees every service's secrets, reviewed quarterly"
path "kv/data/*" {
  capabilities = ["read", "sudo"]
}
