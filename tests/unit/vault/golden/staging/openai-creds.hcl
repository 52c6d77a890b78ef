# openai-creds: each service's own dynamic OpenAI key
# Generated from policies/acl/ by infra/vault/acl.py; edit the templates, not this text.
# openai-creds: mint a short-lived OpenAI key from the service's own role of the OpenAI secrets plugin.
# The role is named after the service, and the service name comes from entity metadata that only this
# Vault layer writes (OpenBao GHSA-59w7-v8rr-pr4p), so one templated policy serves every service and no
# service can reach another's role, the plugin's config or its admin key.
path "openai/creds/{{identity.entity.metadata.service}}" {
  capabilities = ["read"]
}
