# deployer-ai-key-metadata: one provider key's declared metadata (owner, rotation period, ticket), never
# its value: the metadata path only (it has an existence check: create, then update), `cas_required`
# pinned to true and `custom_metadata` free; `max_versions` and `delete_version_after` are not allowed
# parameters (the key keeps the mount's max_versions), and there is no delete (that would destroy every
# version).
# lint:exempt VP-ACL-011 path="${kv_mount}/metadata/ai/providers/${provider}/${service}" reason="the declared custom_metadata of the catalog's keys; cas_required pinned true, max_versions and delete_version_after not allowed, never delete"
path "${kv_mount}/metadata/ai/providers/${provider}/${service}" {
  capabilities = ["create", "update"]
  allowed_parameters = {
    "cas_required" = [true]
    "custom_metadata" = []
  }
}
