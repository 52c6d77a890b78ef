# deployer-ai-key-metadata: one provider key's declared metadata (owner, rotation period, ticket), never
# its value: the metadata path only (an existence check: create, then update), check-and-set always
# required, no delete (that would destroy every version). `max_versions` cannot be pinned: the server
# compares a JSON number with no policy value (measured, docs/facts.md).
path "${kv_mount}/metadata/ai/providers/${provider}/${service}" {
  capabilities = ["create", "update"]
  allowed_parameters = {
    "max_versions" = []
    "cas_required" = [true]
    "custom_metadata" = []
  }
}
