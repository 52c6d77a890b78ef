# deployer-keys-auditor-role: the overdue report's JWT role. Its token_policies are pinned to exactly
# the auditor's, so whatever claims it is given, a login only ever reads provider keys' metadata.
# lint:exempt VP-ACL-005 path="auth/${mount}/role/${role}" reason="the overdue report's role; token_policies pinned to exactly ai-keys-auditor and token-self"
path "auth/${mount}/role/${role}" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "token_policies" = ${token_policies}
${token_fields}
    "role_type" = ["jwt"]
    "bound_audiences" = []
    "bound_claims" = []
    "bound_claims_type" = []
    "bound_subject" = []
    "user_claim" = []
    "user_claim_json_pointer" = []
    "claim_mappings" = []
    "groups_claim" = []
    "clock_skew_leeway" = []
    "expiration_leeway" = []
    "not_before_leeway" = []
    "verbose_oidc_logging" = []
    "max_age" = []
  }
}
