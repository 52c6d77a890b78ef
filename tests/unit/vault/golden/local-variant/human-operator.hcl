# human-operator: people who rotate applications' secrets
# Generated from policies/acl/ by infra/vault/acl.py; edit the templates, not this text.
# human-operator: people who run the applications' secrets day to day: they rotate an application's
# KV secrets and model-provider keys (new versions only: no delete, destroy or metadata writes, so history
# stays recoverable) and enrol a colleague's TOTP. No policy, auth, mount or identity administration:
# that is the deployer's, from code, behind review.
# lint:exempt VP-ACL-006 path="identity/mfa/method/totp/admin-generate" reason="TOTP enrolment only (admin-generate answers only for an entity that has no TOTP secret yet; replacing one needs the security responder's admin-destroy first); it attaches no policy"
# lint:exempt VP-ACL-008 path="kv/data/apps/*" path="kv/metadata/apps/*" path="kv/data/ai/providers/*" path="kv/metadata/ai/providers/*" reason="operators rotate every application's secrets and provider keys: new versions only, behind SSO and TOTP"
path "kv/data/apps/*" {
  capabilities = ["create", "read", "update"]
}
path "kv/metadata/apps/*" {
  capabilities = ["read", "list"]
}
path "kv/data/ai/providers/*" {
  capabilities = ["create", "read", "update"]
}
path "kv/metadata/ai/providers/*" {
  capabilities = ["read", "list"]
}
path "identity/mfa/method/totp/admin-generate" {
  capabilities = ["update"]
}
