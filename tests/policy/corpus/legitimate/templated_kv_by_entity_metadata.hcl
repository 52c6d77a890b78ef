# One policy for every service on a foreign KV v2 mount: the scope comes from the entity, which only the
# deployer writes. (On this project's `kv` mount the template would also stand for `apps/`: see
# violating/template_can_be_layout_directory.hcl.)
path "secret/data/{{identity.entity.metadata.service}}/*" {
  capabilities = ["create", "read", "update", "patch", "delete", "list"]
}

path "secret/metadata/{{identity.entity.metadata.service}}/*" {
  capabilities = ["list", "read"]
}
