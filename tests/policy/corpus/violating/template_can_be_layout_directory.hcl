# expect: VP-ACL-008
# On the project's KV mount a template at the first scope segment can be `apps`: every service below.
path "kv/data/{{identity.entity.metadata.service}}/*" {
  capabilities = ["read"]
}
