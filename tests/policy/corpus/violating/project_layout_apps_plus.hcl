# expect: VP-ACL-008
# `+` at the service segment of apps/<service>/.
path "kv/data/apps/+/*" {
  capabilities = ["read"]
}
