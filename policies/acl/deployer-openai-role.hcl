# deployer-openai-role: one service's role of the OpenAI plugin, in its catalog project only.
# lint:exempt VP-ACL-009 path="${mount}/roles/${service}" reason="the catalog's roles, each pinned to its service's OpenAI project"
path "${mount}/roles/${service}" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "project_id" = ["${project}"]
    "ttl" = []
    "max_ttl" = []
    "service_account_name_template" = []
    "service_account_description" = []
  }
}
