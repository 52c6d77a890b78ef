# human-security-responder: incident response: revoke credentials
# Generated from policies/acl/ by infra/vault/acl.py; edit the templates, not this text.
# human-security-responder: cut a credential off fast during an incident without reading any secret:
# look up and revoke a token by its accessor (with its children and leases), revoke one lease, and reset
# a person's lost or compromised TOTP device. Sealing and root operations stay with break-glass (offline).
# lint:exempt VP-ACL-003 path="sys/leases/revoke" reason="revokes a single lease by id (a leaked credential); no prefix or force revocation here"
# lint:exempt VP-ACL-013 path="auth/token/lookup-accessor" path="auth/token/revoke-accessor" reason="incident response: inspect and revoke a leaked token (and its children and leases) by the accessor the audit log shows"
# lint:exempt VP-ACL-006 path="identity/mfa/method/totp/admin-destroy" reason="TOTP reset only (admin-destroy removes an entity's TOTP secret so the person re-enrols with an operator); it attaches no policy"
path "auth/token/lookup-accessor" {
  capabilities = ["update"]
}
path "auth/token/revoke-accessor" {
  capabilities = ["update"]
}
path "sys/leases/lookup" {
  capabilities = ["update"]
}
path "sys/leases/revoke" {
  capabilities = ["update"]
}
path "identity/mfa/method/totp/admin-destroy" {
  capabilities = ["update"]
}
