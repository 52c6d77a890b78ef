# human-operator: people who run the applications' secrets day to day: they rotate an application's
# KV secrets and model-provider keys (new versions only: no delete, destroy or metadata writes, so history
# stays recoverable) and enrol a colleague's TOTP. No policy, auth, mount or identity administration:
# that is the deployer's, from code, behind review.
# lint:exempt VP-ACL-006 reason: TOTP enrolment only (admin-generate answers only for an entity that has no TOTP secret yet; replacing one needs the security responder's admin-destroy first); it attaches no policy
path "${kv_mount}/data/apps/*" {
  capabilities = ["create", "read", "update"]
}
path "${kv_mount}/metadata/apps/*" {
  capabilities = ["read", "list"]
}
path "${kv_mount}/data/ai/providers/*" {
  capabilities = ["create", "read", "update"]
}
path "${kv_mount}/metadata/ai/providers/*" {
  capabilities = ["read", "list"]
}
path "identity/mfa/method/totp/admin-generate" {
  capabilities = ["update"]
}
